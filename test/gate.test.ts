import test from 'ava';
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_EDITED_GATE, evaluateGate, type GateResult, parsePipeline, readBrown } from '../src/index.js';
import { collect } from './helpers/brown-prior.js';
import { cli } from './helpers/cli.js';
import { newTempDir, removeTempDir } from './helpers/temp-dir.js';

// The default gate's figures hold from the first held-out document on (docs/gate.md measures
// limits 1 to 50), so a few documents keep the runs short.
const LIMIT = 6;
const root = await newTempDir('gate');
const byName = (a: { check: string }, b: { check: string }) => a.check.localeCompare(b.check);
const DEFAULT_CHECKS = Object.entries(DEFAULT_EDITED_GATE)
  .map(([check, threshold]) => ({ view: 'edited', check, threshold }))
  .sort(byName);

type Pipeline = Record<string, Record<string, unknown>>;

/** A shipped pipeline with a change, written to a file; synthetic off where the gate does not look at it (it costs time). */
async function shippedWith(name: string, change: (p: Pipeline) => void, shipped = 'pipelines/toedit-ngram.json'): Promise<string> {
  const pipeline = JSON.parse(await readFile(shipped, 'utf8'));
  pipeline.synthetic.enabled = false;
  change(pipeline);
  const file = join(root, `${name}.json`);
  await writeFile(file, JSON.stringify(pipeline));
  return file;
}

async function run(name: string, pipeline: string, limit = LIMIT) {
  const out = join(root, name);
  const r = await cli(['run', pipeline, '--out', out, '--limit', String(limit), '--quiet']);
  const json = async (f: string) => JSON.parse(await readFile(join(out, f), 'utf8'));
  const report = await json('report.json');
  return { ...r, out, report, gate: report.gate as GateResult, manifest: await json('manifest.json'), markdown: await readFile(join(out, 'report.md'), 'utf8'), html: await readFile(join(out, 'report.html'), 'utf8') };
}

// The first LIMIT held-out documents as a file: the human reference `tailguard audit` compares a run's edited.jsonl with.
const human = join(root, 'human.jsonl');
await writeFile(human, (await collect(readBrown('heldout'))).slice(0, LIMIT).map((d) => JSON.stringify({ id: d.id, text: d.text }) + '\n').join(''));

/** Every selected token replaced, a quarter of them: the over-editing the gate exists to stop. */
const overEdit = (p: Pipeline) => Object.assign(p.edit, { excludeOriginal: true, selection: { mode: 'calibrated', targetShare: 0.25 } });

const [honest, overEdited, unchecked] = await Promise.all([
  run('honest', 'pipelines/toedit-ngram.json'),
  run('over-edited', await shippedWith('over-edited', overEdit)),
  run('unchecked', await shippedWith('unchecked', (p) => (p.audit = { gate: { edited: {} } }))),
]);

test.after.always(() => removeTempDir(root));

test('the shipped n-gram pipeline passes the default gate with headroom, every check listed with value, bound and verdict', (t) => {
  t.is(honest.code, 0, honest.stderr);
  t.is(honest.gate.status, 'passed');
  t.deepEqual(honest.manifest.gate, honest.gate);
  t.deepEqual(honest.gate.checks.map(({ view, check, threshold }) => ({ view, check, threshold })).sort(byName), DEFAULT_CHECKS);
  for (const c of honest.gate.checks) {
    t.true(c.passed && c.value !== null && c.value <= c.threshold / 2, `${c.check} = ${c.value}: an honest run stays under half the bound`);
    t.true(honest.stdout.includes(`gate pass: edited ${c.check} = ${c.value!.toFixed(4)} (threshold ${c.threshold})`), `${c.check} in the summary`);
    t.regex(honest.markdown, new RegExp(`\\| edited \\| ${c.check} \\| ${c.value!.toFixed(4)} \\| ${c.threshold} \\| pass \\|`));
  }
  t.regex(honest.stdout, new RegExp(`gate: passed \\(${DEFAULT_CHECKS.length} of ${DEFAULT_CHECKS.length} checks\\)`));
  t.regex(honest.html, /<span class="gate-passed">passed/);
});

test('an over-edited run (every selected token replaced, 25% selected) fails the default gate: exit 6, outputs in quarantine/', async (t) => {
  t.is(overEdited.code, 6, overEdited.stderr);
  t.is(overEdited.gate.status, 'failed');
  t.is(overEdited.manifest.gate.status, 'failed');
  const jsd2 = overEdited.gate.checks.find((c) => c.check === 'maxJsd2')!;
  t.false(jsd2.passed);
  t.regex(overEdited.stdout, /gate FAIL: edited maxJsd2 = 0\.\d{4} \(threshold /);
  t.regex(overEdited.stdout, /gate FAILED: edited\/synthetic outputs were written to quarantine\//);
  t.deepEqual((await readdir(join(overEdited.out, 'quarantine'))).sort(), ['edited.jsonl', 'edits.jsonl']);
  t.false((await readdir(overEdited.out)).includes('edited.jsonl'));
  t.regex(overEdited.html, /<span class="gate-failed">FAILED/);
});

test('a gate with no checks says "unchecked, nothing was checked" in summary, report.md, report.html and JSON, never "passed"; exit 0 with a warning', (t) => {
  t.is(unchecked.code, 0, unchecked.stderr);
  for (const gate of [unchecked.gate, unchecked.manifest.gate]) t.like(gate, { status: 'unchecked', passed: false, checks: [], note: 'no checks configured' });
  t.regex(unchecked.stdout, /gate: unchecked \(no checks configured\) — nothing was checked/);
  t.regex(unchecked.stdout, /warning: gate unchecked \(no checks configured\): nothing was checked/);
  t.regex(unchecked.markdown, /Gate: \*\*unchecked \(no checks configured\) — nothing was checked\*\*/);
  t.regex(unchecked.html, /<span class="gate-unchecked">unchecked \(no checks configured\) — nothing was checked/);
  for (const text of [unchecked.stdout, unchecked.markdown]) t.notRegex(text, /passed/i);
  t.notRegex(unchecked.html, /class="gate-passed"|Gate: <span[^>]*>passed/);
});

test('tailguard audit gates a corpus named edited with the pipeline\'s bounds: exit 6 on an over-edited one, unchecked without one', async (t) => {
  const audit = (name: string, corpora: string[]) => cli(['audit', human, ...corpora, '--no-prior', '--out', join(root, name), '--quiet', '--json']);
  const good = await audit('audit-honest', [join(honest.out, 'edited.jsonl')]);
  t.is(good.code, 0, good.stderr);
  t.is(JSON.parse(good.stdout).gate.status, 'passed');
  const bad = await audit('audit-over', [join(overEdited.out, 'quarantine', 'edited.jsonl')]);
  t.is(bad.code, 6, bad.stderr);
  t.is(JSON.parse(bad.stdout).gate.status, 'failed');
  // The same text under another name: no view is called edited, so no check applies.
  await copyFile(join(honest.out, 'edited.jsonl'), join(root, 'mine.jsonl'));
  const none = await audit('audit-none', [join(root, 'mine.jsonl')]);
  t.is(none.code, 0, none.stderr);
  t.like(JSON.parse(none.stdout).gate, { status: 'unchecked', passed: false });
  t.regex(JSON.parse(none.stdout).gate.note, /configured for edited, and no compared view has that name/);
});

test('every pipeline gets the default gate on edited unless it says otherwise; "gate": false turns it off, unchecked', (t) => {
  const base = { name: 'x', input: { format: 'brown' }, prior: { type: 'ngram' } } as const;
  t.deepEqual(parsePipeline(base).audit.gate, { edited: DEFAULT_EDITED_GATE, synthetic: {} });
  t.deepEqual(parsePipeline({ ...base, audit: { gate: { synthetic: { maxJsd2: 0.3 } } } }).audit.gate, { edited: DEFAULT_EDITED_GATE, synthetic: { maxJsd2: 0.3 } });
  const off = parsePipeline({ ...base, audit: { gate: false } }).audit.gate;
  t.is(off, false);
  t.like(evaluateGate(off, honest.report.comparisons), { status: 'unchecked', passed: false, note: 'turned off with "gate": false' });
  t.throws(() => parsePipeline({ ...base, audit: { gate: true } } as never), { message: /audit\.gate/ });
});

test('the same default gate holds for the shipped neural prior: its honest run passes, its over-edited run fails', async (t) => {
  const neural = 'pipelines/toedit.json';
  const [good, bad] = await Promise.all([
    run('neural-honest', await shippedWith('neural-honest', () => {}, neural), 1),
    run('neural-over-edited', await shippedWith('neural-over-edited', overEdit, neural), 1),
  ]);
  t.is(good.code, 0, good.stdout + good.stderr);
  t.is(good.gate.status, 'passed');
  t.is(bad.code, 6, bad.stdout + bad.stderr);
  t.true(bad.gate.checks.some((c) => c.check === 'maxJsd2' && !c.passed), 'JSD-2 catches it');
});
