// Inputs that yield nothing, or mostly rejects, are loud and say how to read them: the reject
// share guard, a run without a document, empty files in a folder, a folder given with --format,
// invalid UTF-8 rejects that keep their id, and --strict stopping in the calibration pass.
import test from 'ava';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Document, parsePipeline, type PriorModel, readBrown, readCorpus, runPipeline, TailguardError } from '../src/index.js';
import { brownPrior, collect } from './helpers/brown-prior.js';
import { cli } from './helpers/cli.js';
import { newTempDir, removeTempDir } from './helpers/temp-dir.js';

const root = await newTempDir('input-errors');
const brown: Document[] = (await collect(readBrown('heldout'))).slice(0, 8).map((d) => ({ ...d, text: d.text.slice(0, 1500) }));
const record = (d: Document, textField = 'text') => JSON.stringify({ id: d.id, [textField]: d.text });
const manifest = async (out: string) => JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));

test.after.always(() => removeTempDir(root));

test('a JSONL whose text is in "content": exit 3 naming the file, the reject kind, the fields the records have and --text-field; with it the run works', async (t) => {
  const file = join(root, 'content.jsonl');
  await writeFile(file, brown.slice(0, 3).map((d) => record(d, 'content')).join('\n') + '\n');
  const out = join(root, 'content');
  const r = await cli(['edit', file, '--out', out]);
  t.is(r.code, 3, r.stderr);
  t.true(r.stderr.includes(`${file}: 3 of 3 records were rejected (100%)`), r.stderr);
  t.true(r.stderr.includes(`mostly missing-text (3), first ${file}:1: missing text field "text": the record has fields "id", "content"; set --text-field`), r.stderr);
  t.notRegex(r.stdout + r.stderr, /calibrated/, 'no advice to use the calibrated selection the run already uses');
  t.deepEqual(await readdir(out), [], 'nothing is left to --force over');
  // With the guard lifted, a run that yields no document is still an input error.
  const none = await cli(['edit', file, '--out', out, '--max-reject-share', '1', '--quiet']);
  t.is(none.code, 3);
  t.regex(none.stderr, /content\.jsonl: no document to work on: all 3 records were rejected, mostly missing-text \(3\)/);
  const fixed = await cli(['edit', file, '--out', out, '--text-field', 'content', '--quiet']);
  t.is(fixed.code, 0, fixed.stderr);
  t.deepEqual((await manifest(out)).counts, { read: 3, written: 3, rejected: 0 });
});

test('more rejects than maxRejectShare: exit 3 naming the file, the share, the dominant kind and a fix; a higher share lets the run go on, every record accounted for', async (t) => {
  const file = join(root, 'dirty.jsonl');
  const lines = [...brown.slice(0, 4).map((d) => record(d)), ...[1, 2, 3, 4].map((i) => `{"id": "cut${i}", "text": "unterminated`), '[1, 2]'];
  await writeFile(file, lines.join('\n') + '\n');
  const out = join(root, 'dirty');
  const r = await cli(['edit', file, '--out', out, '--quiet']);
  t.is(r.code, 3, r.stderr);
  t.true(r.stderr.includes(`${file}: 5 of 9 records were rejected (55.6%), more than the 50% allowed (maxRejectShare in the input, --max-reject-share): mostly malformed-json (4), first ${file}:5: malformed JSON`), r.stderr);
  t.regex(r.stderr, /Fix: is it JSONL, one JSON object per line\? A file holding one JSON array needs --format json/);
  const allowed = await cli(['edit', file, '--out', out, '--quiet', '--max-reject-share', '0.6']);
  t.is(allowed.code, 0, allowed.stderr);
  const m = await manifest(out);
  t.deepEqual(m.inputs[file], { read: 9, written: 4, rejected: 5, rejects: { 'malformed-json': 4, 'not-an-object': 1 } });
  t.is((await readFile(join(out, 'rejects.jsonl'), 'utf8')).trim().split('\n').length, 5);
  t.is((await cli(['edit', file, '--out', join(root, 'bad-share'), '--max-reject-share', '2'])).code, 2, 'a share above 1 is a usage error');
});

test('an empty .jsonl in an input folder gets a warning and is listed in the manifest with 0 records; an empty input gets no advice about the selection', async (t) => {
  const folder = join(root, 'folder');
  await mkdir(folder);
  await writeFile(join(folder, 'a.jsonl'), brown.slice(0, 2).map((d) => record(d)).join('\n') + '\n');
  await writeFile(join(folder, 'b.jsonl'), '');
  const out = join(root, 'folder-out');
  const r = await cli(['edit', folder, '--out', out, '--quiet']);
  t.is(r.code, 0, r.stderr);
  t.true(r.stdout.includes(`warning: ${join(folder, 'b.jsonl')} holds no records (it is empty or blank)`), r.stdout);
  t.deepEqual((await manifest(out)).inputs, {
    [join(folder, 'a.jsonl')]: { read: 2, written: 2, rejected: 0, rejects: {} },
    [join(folder, 'b.jsonl')]: { read: 0, written: 0, rejected: 0, rejects: {} },
  });
  for (const p of [[], ['--p', '0.99']]) {
    const empty = await cli(['edit', join(folder, 'b.jsonl'), '--out', join(root, `empty${p.length}`), ...p]);
    t.is(empty.code, 0, empty.stderr);
    t.regex(empty.stdout, /no records were read from jsonl:\S+b\.jsonl: the input is empty/);
    t.notRegex(empty.stdout, /tokens were selected|calibrated"/, 'nothing was read, so nothing to advise about the selection');
  }
});

test('a folder given with --format gets advice that works: the glob it suggests reads the folder', async (t) => {
  const folder = join(root, 'parts');
  await mkdir(folder);
  await writeFile(join(folder, 'part-00000'), brown.slice(0, 2).map((d) => record(d)).join('\n') + '\n');
  const r = await cli(['edit', folder, '--format', 'jsonl', '--out', join(root, 'parts-out')]);
  t.is(r.code, 3, r.stderr);
  const glob = /give a quoted glob such as '([^']+)' with --format jsonl to read every file below it as jsonl/.exec(r.stderr)?.[1];
  t.truthy(glob, r.stderr);
  t.notRegex(r.stderr, /format "files"/, 'not a format the flag refuses');
  const ok = await cli(['edit', glob!, '--format', 'jsonl', '--out', join(root, 'parts-out'), '--quiet']);
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /documents\s+2 read, 2 written, 0 rejected/);
});

test('an invalid-utf8 reject keeps the record id when the line names it in valid bytes, never decoding the text', async (t) => {
  const file = join(root, 'latin1.jsonl');
  const latin1 = (s: string) => Buffer.from(s, 'latin1');
  await writeFile(
    file,
    Buffer.concat([
      Buffer.from(`${record(brown[0])}\n`),
      latin1('{"id": "menu", "text": "caf\u00e9 au lait"}\n'),
      latin1('{"text": "cr\u00e8me br\u00fbl\u00e9e, and no id"}\n'),
      latin1('{"id": "gar\u00e7on", "text": "the bad byte is in the id"}\n'),
      latin1('{"id": "cut", "text": "na\u00efve and never closed\n'),
    ]),
  );
  const items = await collect(readCorpus({ format: 'jsonl', path: file, textField: 'text', idField: 'id', maxRejectShare: 1 }));
  const rejects = items.flatMap((i) => (i.ok ? [] : [i.reject]));
  t.deepEqual(rejects.map((r) => [r.kind, r.line, r.id]), [
    ['invalid-utf8', 2, 'menu'],
    ['invalid-utf8', 3, 'latin1.jsonl:3'],
    ['invalid-utf8', 4, undefined],
    ['invalid-utf8', 5, undefined],
  ]);
  t.false(JSON.stringify(rejects).includes('\uFFFD'), 'nothing was decoded to U+FFFD');
});

test('--strict stops at the first bad record in the calibration pass: the documents after it are never read or scored', async (t) => {
  const file = join(root, 'strict.jsonl');
  const many = (await collect(readBrown('heldout'))).slice(0, 60).map((d) => ({ ...d, text: d.text.slice(0, 400) }));
  await writeFile(file, [...many.slice(0, 6).map((d) => record(d)), '{"id": "bad", "text": ', ...many.slice(6).map((d) => record(d))].join('\n') + '\n');
  const base = await brownPrior();
  let scored = 0;
  // The real prior, counting the documents it is asked to score.
  const prior: PriorModel = Object.assign(Object.create(base) as PriorModel, {
    score: (batch: Parameters<PriorModel['score']>[0], options: Parameters<PriorModel['score']>[1]) => {
      scored += batch.length;
      return base.score(batch, options);
    },
  });
  const config = parsePipeline({ name: 'strict', input: { format: 'jsonl', path: file }, prior: { type: 'ngram' }, edit: { selection: { mode: 'calibrated', targetShare: 0.125 } }, batchSize: 4 });
  const error = await t.throwsAsync(runPipeline(config, { out: join(root, 'strict-out'), prior, strict: true, progress: false }), { instanceOf: TailguardError });
  t.is(error!.code, 'input');
  t.regex(error!.message, new RegExp(`^${file.replace(/[.\\/]/g, '\\$&')}:7: malformed JSON.*\\(--strict stops at the first bad record\\)$`));
  t.true(scored > 0 && scored <= 6, `${scored} documents scored of ${many.length}: only some of those before line 7`);
  t.deepEqual(await readdir(join(root, 'strict-out')), []);
});

test('the advice to use a calibrated selection comes only with an absolute p that selects too little', async (t) => {
  const prior = await brownPrior();
  const input = { format: 'jsonl', path: join(root, 'warn.jsonl') } as const;
  await writeFile(input.path, brown.slice(0, 2).map((d) => record(d)).join('\n') + '\n');
  const warnings = async (selection: object, out: string) =>
    (await runPipeline(parsePipeline({ name: 'warn', input, prior: { type: 'ngram' }, edit: { selection, warnBelowShare: 1 } }), { out: join(root, out), prior, progress: false })).summary.warnings;
  t.regex((await warnings({ mode: 'absolute', p: 0.5 }, 'warn-absolute')).join('\n'), /Use "selection": \{ "mode": "calibrated"/);
  t.deepEqual(await warnings({ mode: 'calibrated', targetShare: 0.125 }, 'warn-calibrated'), []);
});
