import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parsePipeline, type PipelineInput, readBrown, runPipeline, TailguardError } from '../src/index.js';
import { brownPrior, collect } from './helpers/brown-prior.js';
import { newTempDir, removeTempDir } from './helpers/temp-dir.js';

const prior = await brownPrior();
const root = await newTempDir('pipeline');
const LIMIT = 6;

function config(overrides: Partial<PipelineInput> = {}) {
  return parsePipeline({
    name: 'test',
    input: { format: 'brown', split: 'heldout' },
    prior: { type: 'ngram' },
    edit: { selection: { mode: 'calibrated', targetShare: 0.125 } },
    synthetic: { promptTokens: 16 },
    limit: LIMIT,
    ...overrides,
  });
}

async function run(name: string, overrides: Partial<PipelineInput> = {}) {
  const out = join(root, name);
  const result = await runPipeline(config(overrides), { out, prior, progress: false });
  const read = async (f: string) => (await readFile(join(out, f), 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return { ...result, out, edited: await read('edited.jsonl'), edits: await read('edits.jsonl'), synthetic: await read('synthetic.jsonl'), rejects: await read('rejects.jsonl') };
}

const inputs = (await collect(readBrown('heldout'))).slice(0, LIMIT);
const main = await run('main');

test.after.always(() => removeTempDir(root));

test('outputs reconcile: read = written + rejected, one record per document in every file, ids and meta kept', (t) => {
  const counts = main.manifest.counts as { read: number; written: number; rejected: number };
  t.deepEqual(counts, { read: LIMIT, written: LIMIT, rejected: 0 });
  for (const file of [main.edited, main.edits, main.synthetic]) t.deepEqual(file.map((r) => r.id), inputs.map((d) => d.id));
  main.edited.forEach((r, i) => t.deepEqual(r.meta, inputs[i].meta));
  main.synthetic.forEach((r, i) => t.deepEqual(r.meta, inputs[i].meta));
  t.true(main.summary.selectedShare > 0.1 && main.summary.selectedShare < 0.15, `calibrated share ${main.summary.selectedShare}`);
  t.true(main.summary.changed > 0, 'edits actually happen');
});

test('every changed character of edited.jsonl lies inside an edit-log span', (t) => {
  main.edited.forEach((rec, d) => {
    const input = inputs[d].text;
    const log = main.edits[d];
    let inCursor = 0;
    let outCursor = 0;
    for (const e of log.edits) {
      t.is(input.slice(e.start, e.end), e.original);
      t.is(rec.text.slice(e.outStart, e.outEnd), e.replacement);
      // Outside the spans, input and output agree character for character.
      if (input.slice(inCursor, e.start) !== rec.text.slice(outCursor, e.outStart)) t.fail(`${rec.id}: text changed outside edit ${e.position}`);
      inCursor = e.end;
      outCursor = e.outEnd;
    }
    t.is(input.slice(inCursor), rec.text.slice(outCursor), `${rec.id}: tail`);
    t.is(log.changed, log.edits.filter((e: { changed: boolean }) => e.changed).length);
  });
});

test('with p = 1 every edited text equals its input byte for byte', async (t) => {
  const r = await run('p1', { edit: { selection: { mode: 'absolute', p: 1 } }, synthetic: { enabled: false } });
  t.deepEqual(r.edited.map((x) => x.text), inputs.map((d) => d.text));
  t.is(r.summary.selected, 0);
  t.true(r.summary.warnings.some((w) => w.includes('calibrated')), 'the summary says what to do when almost nothing is selected');
});

test('same seed, different batch size and concurrency: byte-identical outputs; another seed differs', async (t) => {
  const other = await run('b5c3', { batchSize: 5, concurrency: 3 });
  const one = await run('b1c1', { batchSize: 1, concurrency: 1 });
  for (const f of ['edited.jsonl', 'edits.jsonl', 'synthetic.jsonl']) {
    const a = await readFile(join(main.out, f));
    t.true(a.equals(await readFile(join(other.out, f))), `${f}: batch 8 vs 5`);
    t.true(a.equals(await readFile(join(one.out, f))), `${f}: batch 8 vs 1`);
  }
  const seeded = await run('seed2', { seed: 2 });
  t.notDeepEqual(seeded.edited.map((x) => x.text), main.edited.map((x) => x.text));
});

test('synthetic documents keep the prompt and continue to about the same token count', (t) => {
  main.synthetic.forEach((s, i) => {
    const tokens = prior.tokenize(inputs[i].text);
    t.true(s.text.startsWith(inputs[i].text.slice(0, tokens.ends[15])), 'prompt kept');
    t.is(s.tailguard.promptTokens + s.tailguard.generatedTokens, tokens.ids.length);
    const n = prior.tokenize(s.text).ids.length;
    t.true(Math.abs(n - tokens.ids.length) / tokens.ids.length < 0.1, `${n} vs ${tokens.ids.length} tokens`);
  });
});

test('bad JSONL lines are rejected with file, line and reason while the rest is processed', async (t) => {
  const file = join(root, 'in.jsonl');
  const lines = inputs.slice(0, 3).map((d) => JSON.stringify({ id: d.id, text: d.text.slice(0, 500), genre: d.meta.category }));
  lines.splice(1, 0, '{"id": "broken", "text": ');
  await writeFile(file, lines.join('\n') + '\n');
  const r = await run('jsonl', { input: { format: 'jsonl', path: file }, limit: undefined });
  t.deepEqual(r.manifest.counts, { read: 4, written: 3, rejected: 1 });
  t.is(r.rejects[0].file, file);
  t.is(r.rejects[0].line, 2);
  t.regex(r.rejects[0].reason, /malformed JSON/);
  t.deepEqual(r.edited.map((x) => x.meta.genre), inputs.slice(0, 3).map((d) => d.meta.category));
});

test('a finished run is not overwritten without force; the manifest records prior, threshold and versions', async (t) => {
  await t.throwsAsync(runPipeline(config(), { out: main.out, prior, progress: false }), { instanceOf: TailguardError, message: /finished run.*--force/ });
  const m = JSON.parse(await readFile(join(main.out, 'manifest.json'), 'utf8'));
  t.is(m.prior.sha256, prior.identity.sha256);
  t.is(m.selection.mode, 'calibrated');
  t.true(m.selection.threshold > 0 && m.selection.threshold < 1);
  t.is(typeof m.versions.tailguard, 'string');
  t.is(m.seed, 1);
});

test('invalid pipelines are refused before any work, naming the key', (t) => {
  const e = t.throws(() => parsePipeline({ name: 'x', input: { format: 'brown' }, prior: { type: 'ngram', ordr: 3 }, edit: { beta: -1 } }), { instanceOf: TailguardError });
  t.regex(e!.message, /prior: unknown key "ordr"/);
  t.regex(e!.message, /edit\.beta/);
});

test('out-of-range p, k and beta are refused naming the key and the value', (t) => {
  const cases: [PipelineInput['edit'], RegExp][] = [
    [{ selection: { mode: 'absolute', p: 0 } }, /edit\.selection\.p: Number must be greater than 0, got 0/],
    [{ selection: { mode: 'absolute', p: 1.01 } }, /edit\.selection\.p: Number must be less than or equal to 1, got 1\.01/],
    [{ topK: 0 }, /edit\.topK: Number must be greater than or equal to 1, got 0/],
    [{ beta: 0 }, /edit\.beta: Number must be greater than 0, got 0/],
    [{ beta: '2' as unknown as number }, /edit\.beta: Expected number, received string, got "2"/],
  ];
  for (const [edit, message] of cases) t.throws(() => config({ edit }), { instanceOf: TailguardError, message });
});

test('the audit compares every view with human text and writes report.json, report.md and mergeable statistics', async (t) => {
  const report = JSON.parse(await readFile(join(main.out, 'report.json'), 'utf8'));
  t.deepEqual(Object.keys(report.views), ['human', 'edited', 'synthetic']);
  t.deepEqual(Object.keys(report.comparisons), ['edited', 'synthetic']);
  t.is(report.views.human.docs, LIMIT);
  // Pure sampling from a trigram model drifts much further from human text than editing does.
  t.true(report.comparisons.synthetic.jsd[1] > 2 * report.comparisons.edited.jsd[1], `JSD-2 ${report.comparisons.synthetic.jsd[1]} vs ${report.comparisons.edited.jsd[1]}`);
  t.true(report.gate.passed);
  const md = await readFile(join(main.out, 'report.md'), 'utf8');
  t.regex(md, /\| distinct-2 \|/);
  t.regex(md, /JSD 2-grams/);
  const stats = JSON.parse(await readFile(join(main.out, 'stats.human.json'), 'utf8'));
  t.is(stats.docs, LIMIT);
});

test('a failed gate exits non-zero in the CLI sense, leaves no final-named output and says which check failed', async (t) => {
  const r = await run('gate', { audit: { gate: { synthetic: { maxJsd2: 0.001 }, edited: { maxJsd2: 0.5 } } } });
  t.false(r.report!.gate.passed);
  const failed = r.report!.gate.checks.filter((c) => !c.passed);
  t.deepEqual(failed.map((c) => [c.view, c.check, c.threshold]), [['synthetic', 'maxJsd2', 0.001]]);
  t.true(failed[0].value! > 0.001);
  const { readdir } = await import('node:fs/promises');
  const files = await readdir(r.out);
  for (const f of ['edited.jsonl', 'synthetic.jsonl', 'edits.jsonl']) t.false(files.includes(f), `${f} must not be under its final name`);
  t.deepEqual((await readdir(join(r.out, 'quarantine'))).sort(), ['edited.jsonl', 'edits.jsonl', 'synthetic.jsonl']);
  t.regex(await readFile(join(r.out, 'report.md'), 'utf8'), /\| synthetic \| maxJsd2 \| 0\.\d+ \| 0\.001 \| \*\*FAIL\*\* \|/);
  t.false((r.manifest.gate as { passed: boolean }).passed);
});

test('an input inside the output folder is refused, so --force can never delete it', async (t) => {
  const dir = join(root, 'nested');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'in.jsonl');
  await writeFile(file, JSON.stringify({ id: 'a', text: inputs[0].text.slice(0, 300) }) + '\n');
  await t.throwsAsync(runPipeline(config({ input: { format: 'jsonl', path: file } }), { out: dir, prior, force: true, progress: false }), { message: /lies inside the output folder/ });
  t.true((await readFile(file, 'utf8')).length > 0);
});

test('without the audit every position is scored without its rank, yet the edit log has the same ranks: they come with the candidates where edits are', async (t) => {
  const absolute = { edit: { selection: { mode: 'absolute' as const, p: 0.5 } } };
  for (const [name, withAudit] of [['calibrated', main], ['absolute', await run('absolute-audit', absolute)]] as const) {
    const without = await run(`${name}-no-audit`, { ...(name === 'absolute' ? absolute : {}), audit: { enabled: false } });
    const ranks = withAudit.edits.flatMap((r) => r.edits.map((e: { rank: number }) => e.rank));
    t.true(ranks.length > 50 && ranks.every((r) => r >= 1), `${name}: ${ranks.length} edits, every rank at least 1`);
    t.deepEqual(without.edits, withAudit.edits, name);
    t.deepEqual(without.edited, withAudit.edited, name);
  }
});
