import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBrown, readCorpus } from '../src/index.js';
import { shellQuote } from '../src/shell-quote.js';
import { collect } from './helpers/brown-prior.js';
import { cli, startProcess } from './helpers/cli.js';
import { newTempDir, removeTempDir } from './helpers/temp-dir.js';

const dir = await newTempDir('show');
const plain = join(dir, 'plain');
const strict = join(dir, 'strict');
const strictPipeline = join(dir, 'strict.json');
// A run whose gate fails (its outputs go to quarantine/), written as Parquet, with every token's scores.
await writeFile(
  strictPipeline,
  JSON.stringify({
    name: 'strict',
    input: { format: 'brown', split: 'heldout' },
    limit: 2,
    prior: { type: 'ngram', file: '.cache/ngram/brown-train-3gram.tgkn.gz' },
    audit: { gate: { synthetic: { maxTypeLoss: 0.0001 } } },
    writeScores: true,
    output: { format: 'parquet' },
  }),
);
const [plainRun, strictRun] = await Promise.all([
  cli(['run', 'pipelines/toedit-ngram.json', '--limit', '4', '--out', plain, '--json', '--quiet']),
  cli(['run', strictPipeline, '--out', strict, '--quiet']),
]);

const brown = new Map((await collect(readBrown('heldout'))).map((d) => [d.id, d.text]));

test.after.always(() => removeTempDir(dir));

const jsonLines = async (path: string) => (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));

/** The text `tailguard show` prints under its header (after the first blank line), without console.log's newline. */
const body = (stdout: string) => stdout.slice(stdout.indexOf('\n\n') + 2, -1);
/** wdiff marks read back: [-original-]{+replacement+}, or [-original-] for a deletion. */
const MARK = /\[-([\s\S]*?)-\](?:\{\+([\s\S]*?)\+\})?/g;
const edited = (shown: string) => shown.replace(MARK, (_, _a: string, b?: string) => b ?? '');
const original = (shown: string) => shown.replace(MARK, (_, a: string) => a);

test('run --json carries the output folder, the audit metrics of every view and the gate verdict', async (t) => {
  t.is(plainRun.code, 0, plainRun.stderr);
  const json = JSON.parse(plainRun.stdout);
  const report = JSON.parse(await readFile(join(plain, 'report.json'), 'utf8'));
  const manifest = JSON.parse(await readFile(join(plain, 'manifest.json'), 'utf8'));
  t.is(json.output, plain);
  t.is(json.documents.written, 4);
  t.deepEqual(json.gate, manifest.gate);
  t.is(json.audit.reference, 'human');
  t.deepEqual(Object.keys(json.audit.views), ['human', 'edited', 'synthetic']);
  for (const view of ['human', 'edited', 'synthetic']) {
    const v = json.audit.views[view];
    t.is(v.distinct2, report.views[view].distinct[1], view);
    t.is(v.top40BigramMass, report.views[view].topMass[1], view);
    t.is(v.perplexity.median, report.views[view].perplexity.quantiles[2], view);
    t.is(v.jsdBigramsBits, report.comparisons[view]?.jsd[1] ?? null, view);
  }
  t.true(json.audit.views.synthetic.jsdBigramsBits > json.audit.views.edited.jsdBigramsBits);
});

test('show without --doc: the first document with a changed token, its edits as wdiff marks when piped; they read back to the edited and the original text', async (t) => {
  const r = await cli(['show', plain]);
  t.is(r.code, 0, r.stderr);
  t.false(r.stdout.includes('\u001b['), 'no colour when piped');
  const unset = await cli(['show', plain], { env: { NO_COLOR: '' } });
  t.is(unset.stdout, r.stdout, 'piped, no colour even without NO_COLOR');
  const logs = await jsonLines(join(plain, 'edits.jsonl'));
  const log = logs.find((l) => l.changed > 0);
  t.true(r.stdout.startsWith(`${log.id}: ${log.tokens} tokens, ${log.selected} selected, ${log.changed} changed`));
  t.regex(r.stdout.split('\n')[0], /the first document with edits/);
  const shown = body(r.stdout);
  t.is(shown.match(MARK)!.length, log.changed);
  const doc = (await jsonLines(join(plain, 'edited.jsonl'))).find((d) => d.id === log.id);
  t.is(edited(shown), doc.text);
  t.is(original(shown), brown.get(log.id)!);
});

test('show --color always marks originals red and struck, replacements green; --probs gives every selected token its probability', async (t) => {
  const log = (await jsonLines(join(plain, 'edits.jsonl'))).find((l) => l.changed > 0);
  const colour = await cli(['show', plain, '--color', 'always']);
  t.is(colour.code, 0, colour.stderr);
  const shown = body(colour.stdout);
  const count = (s: string, code: string) => s.split(code).length - 1;
  t.is(count(shown, '\u001b[9;31m'), log.changed);
  t.is(count(shown, '\u001b[32m'), log.edits.filter((e: { changed: boolean; replacement: string }) => e.changed && e.replacement !== '').length);
  t.is(original(shown.replace(/\u001b\[9;31m([\s\S]*?)\u001b\[29;39m(?:\u001b\[32m[\s\S]*?\u001b\[39m)?/g, '[-$1-]')), brown.get(log.id)!);

  const probs = await cli(['show', plain, '--probs']);
  t.is(probs.code, 0, probs.stderr);
  const annotated = body(probs.stdout);
  t.is(count(annotated, '(p='), log.selected);
  t.true(annotated.includes(`(p=${log.edits[0].p.toFixed(3)}`));
  t.regex(probs.stdout, /probabilities of the \d+ selected tokens, from edits\.jsonl; the probabilities of the other tokens were not kept/);
  t.is(edited(annotated.replace(/\(p=[^)]*\)/g, '')), edited(body((await cli(['show', plain])).stdout)));
});

test('show --doc picks a document; an unknown id exits 3 naming it and how to list the ids; --list gives every id', async (t) => {
  const logs = await jsonLines(join(plain, 'edits.jsonl'));
  const last = logs[logs.length - 1];
  const r = await cli(['show', plain, '--doc', last.id]);
  t.is(r.code, 0, r.stderr);
  t.true(r.stdout.startsWith(`${last.id}: ${last.tokens} tokens`));
  t.is(original(body(r.stdout)), brown.get(last.id)!);
  const unknown = await cli(['show', plain, '--doc', 'brown/zz99']);
  t.is(unknown.code, 3);
  t.regex(unknown.stderr, /no document with id "brown\/zz99" among its 4 documents; list them with tailguard show .* --list/);
  const list = await cli(['show', plain, '--list']);
  t.is(list.code, 0, list.stderr);
  t.deepEqual(list.stdout.trim().split('\n').slice(1).map((l) => l.split('\t')[0]), logs.map((l) => l.id));
});

test('show reads a run whose gate failed from quarantine/, as Parquet, and says so; with scores written, --probs says where the rest are', async (t) => {
  t.is(strictRun.code, 6, strictRun.stderr);
  const logs = await jsonLines(join(strict, 'quarantine', 'edits.jsonl'));
  const r = await cli(['show', strict, '--doc', logs[0].id, '--probs']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /gate failed: this is its quarantined output/);
  t.regex(r.stdout, /every token's probability is in scores\.jsonl/);
  const docs = await collect(readCorpus({ format: 'parquet', path: join(strict, 'quarantine', 'edited.parquet'), textField: 'text', idField: 'id' }));
  const doc = docs.flatMap((i) => (i.ok && i.doc.id === logs[0].id ? [i.doc] : []))[0];
  t.is(edited(body(r.stdout).replace(/\(p=[^)]*\)/g, '')), doc.text);
});

/** util-linux `script` gives a command a terminal: how colour by default can be seen from a test. */
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

(hasScript ? test : test.skip)('on a terminal show colours by default, unless NO_COLOR is set', async (t) => {
  const onTerminal = (noColor: string) => startProcess('script', ['-qec', [process.execPath, '--import', 'tsx', 'src/cli.ts', 'show', plain].map(shellQuote).join(' '), '/dev/null'], { ...process.env, NO_COLOR: noColor }).done;
  const coloured = await onTerminal('');
  t.is(coloured.code, 0, coloured.stderr);
  t.true(coloured.stdout.includes('\u001b[9;31m') && coloured.stdout.includes('\u001b[32m'));
  const asked = await onTerminal('1');
  t.is(asked.code, 0, asked.stderr);
  t.false(asked.stdout.includes('\u001b['));
  t.regex(asked.stdout, /\[-[^\n]*?-\]/);
});

test('a folder that is not a finished run, or whose run edited nothing, exits 3 saying what it is; a bad --color exits 2', async (t) => {
  const empty = await cli(['show', dir]);
  t.is(empty.code, 3);
  t.regex(empty.stderr, /not a finished run folder: it holds no manifest\.json/);
  const missing = await cli(['show', join(dir, 'nowhere')]);
  t.is(missing.code, 3);
  t.regex(missing.stderr, /nowhere: no such folder/);
  const scored = join(dir, 'scored');
  t.is((await cli(['score', 'brown:heldout', '--limit', '1', '--out', scored, '--quiet'])).code, 0);
  const noEdits = await cli(['show', scored]);
  t.is(noEdits.code, 3);
  t.regex(noEdits.stderr, /this run wrote no edits\.jsonl \(its edit stage was off/);
  const colour = await cli(['show', plain, '--color', 'sometimes']);
  t.is(colour.code, 2);
  t.regex(colour.stderr, /--color expects auto, always or never, got "sometimes"/);
});
