import test, { type ExecutionContext } from 'ava';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { folderStatus, readBrown } from '../src/index.js';
import { cli, stopAt, writeJsonlPipeline } from './helpers/cli.js';
import { snapshot } from './helpers/run-folder.js';
import { newTempDir, removeTempDir } from './helpers/temp-dir.js';

const dir = await newTempDir('resume');
const DOCS = 12;
const BAD = ['{"id": "broken', '{"id": "empty", "text": ""}', '[1]', '{"id": "%ID%", "text": "a duplicate id"}'];

// Real Brown documents with bad records between them, so rejects.jsonl is resumed too.
const lines: string[] = [];
let docs = 0;
for await (const d of readBrown('heldout')) {
  if (docs++ === DOCS) break;
  lines.push(JSON.stringify({ id: d.id, text: d.text, meta: d.meta }));
  if (docs % 3 === 0) lines.push(BAD[docs / 3 - 1].replace('%ID%', d.id));
}
const { pipeline } = await writeJsonlPipeline(dir, lines, {
  name: 'resume',
  prior: { type: 'ngram', file: '.cache/ngram/brown-train-3gram.tgkn.gz' },
  edit: { selection: { mode: 'calibrated', targetShare: 0.125 } },
  synthetic: { promptTokens: 16 },
  checkpoint: { everyDocuments: 2 },
  batchSize: 2,
  concurrency: 2,
});

/** Start a run and stop it with `signal` once its checkpoint `at` is saved (counted across resumes). */
const interrupt = (out: string, at: number, signal: NodeJS.Signals, resume: boolean) =>
  stopAt(['run', pipeline, '--out', out, '--quiet', ...(resume ? ['--resume'] : [])], `checkpoint:${at}`, signal);

const fileNames = async (out: string) => (await readdir(out)).filter((f) => f.endsWith('.jsonl') || /^(report|stats\.\w+)\.json$/.test(f)).sort();
const stable = (manifest: Record<string, unknown>): Record<string, unknown> => ({ ...manifest, timings: null, summary: { ...(manifest.summary as object), wallSeconds: null, tokensPerSecond: null } });

// The uninterrupted runs every interrupted one is compared with: gate passed, and gate failed (outputs in
// quarantine/), the latter with no checkpoint due before the end (the finish's own is its only one).
const ref = join(dir, 'ref');
const whole = await cli(['run', pipeline, '--out', ref, '--quiet']);
await mkdir(join(dir, 'failing'));
const { input: _input, ...settings } = JSON.parse(await readFile(pipeline, 'utf8'));
const gate = { synthetic: { maxTypeLoss: 0.0001 } };
const { pipeline: failing } = await writeJsonlPipeline(join(dir, 'failing'), lines, { ...settings, name: 'failing', audit: { gate }, checkpoint: { everySeconds: 3600 } });

test.after.always(() => removeTempDir(dir));

test('killed with SIGKILL and SIGINT at several points and resumed (other settings refused), a run ends with the files of an uninterrupted run, byte for byte', async (t) => {
  t.is(whole.code, 0, whole.stderr);

  const out = join(dir, 'interrupted');
  const first = await interrupt(out, 1, 'SIGKILL', false);
  t.is(first.signal, 'SIGKILL', 'killed mid-run');
  t.false(existsSync(join(out, 'manifest.json')));

  const again = await cli(['run', pipeline, '--out', out, '--quiet']);
  t.is(again.code, 5, 'an interrupted run is not restarted over without --resume or --force');
  t.regex(again.stderr, /holds an interrupted run; pass --resume to continue it/);

  const second = await interrupt(out, 3, 'SIGINT', true);
  t.is(second.code, 130, second.stderr);
  t.regex(second.stderr, /interrupted by SIGINT after \d+ records \(\d+ written, \d+ rejected\); the checkpoint is saved in/);
  t.regex(second.stderr, /resume with: tailguard run \S+pipeline\.json --out \S+ --quiet --resume/);

  const third = await interrupt(out, 5, 'SIGKILL', true);
  t.is(third.signal, 'SIGKILL', 'killed mid-run again');

  const other = await cli(['run', pipeline, '--out', out, '--quiet', '--resume', '--seed', '9']);
  t.is(other.code, 2, 'a resume with other settings is refused');
  t.regex(other.stderr, /cannot resume the run in \S+: it was started with other settings \(seed was 1, now 9\)/);

  const last = await cli(['run', pipeline, '--out', out, '--quiet', '--resume']);
  t.is(last.code, 0, last.stderr);
  t.false(existsSync(join(out, 'checkpoint.json')), 'a finished run leaves no checkpoint');

  const names = await fileNames(ref);
  t.deepEqual(await fileNames(out), names);
  t.true(names.includes('rejects.jsonl') && names.includes('stats.edited.json'));
  for (const f of names) t.true((await readFile(join(ref, f))).equals(await readFile(join(out, f))), `${f} differs`);
  const manifest = async (d: string) => stable(JSON.parse(await readFile(join(d, 'manifest.json'), 'utf8')));
  t.deepEqual(await manifest(out), await manifest(ref));
  const counts = (await manifest(out)).counts as { read: number; written: number; rejected: number };
  t.deepEqual(counts, { read: lines.length, written: DOCS, rejected: lines.length - DOCS });
});

/**
 * Kill the run at each of `points` in its finish, check the folder reads as interrupted (to `status`
 * and, at the first point, to the CLI and a rerun), resume it and compare every file with the
 * uninterrupted run's `reference`.
 */
async function killInFinish(t: ExecutionContext, pipelineFile: string, reference: string, points: string[], exitCode: number): Promise<void> {
  const expected = await snapshot(reference);
  const counts = { records: lines.length, written: DOCS, rejected: lines.length - DOCS };
  for (const [i, point] of points.entries()) {
    const out = join(dir, `${basename(reference)}-${point.replace(':', '-')}`);
    const args = ['run', pipelineFile, '--out', out, '--quiet'];
    const killed = await stopAt(args, point);
    t.is(killed.signal, 'SIGKILL', `${point}: ${killed.stderr}`);
    t.false(existsSync(join(out, 'manifest.json')), point);
    t.deepEqual(await folderStatus(out), { kind: 'single', state: 'interrupted', ...counts }, point);
    if (i === 0) {
      const status = await cli(['status', out]);
      t.is(status.code, 0, status.stderr);
      t.regex(status.stdout, /^interrupted after \d+ records \(\d+ written, \d+ rejected\), as of its last checkpoint \(unless a process is still running it\)\nresume it with .* --resume/);
      const again = await cli(args);
      t.is(again.code, 5, 'a rerun without --resume is refused');
      t.regex(again.stderr, /holds an interrupted run; pass --resume/);
    }
    const resumed = await cli([...args, '--resume']);
    t.is(resumed.code, exitCode, `${point}: ${resumed.stderr}`);
    t.deepEqual(await snapshot(out), expected, `${point}: every file as in the uninterrupted run, and nothing else`);
    t.like(await folderStatus(out), { state: 'finished', ...counts, gate: exitCode === 0 ? 'passed' : 'failed' }, point);
  }
}

test('killed with SIGKILL at each step of its finish (reports, statistics, moves to final names, the manifest), a run resumes to the files of an uninterrupted run', async (t) => {
  t.is(whole.code, 0, whole.stderr);
  await killInFinish(t, pipeline, ref, ['write:report.json', 'write:report.html', 'write:stats.synthetic.json', 'close:edited.jsonl', 'close:rejects.jsonl', 'write:manifest.json'], 0);
});

test('killed while moving its outputs into quarantine/ (the gate failed), a run resumes to the same quarantined files', async (t) => {
  const quarantined = join(dir, 'failing-ref');
  const failed = await cli(['run', failing, '--out', quarantined, '--quiet']);
  t.is(failed.code, 6, failed.stderr);
  t.true(existsSync(join(quarantined, 'quarantine', 'edited.jsonl')));
  await killInFinish(t, failing, quarantined, ['close:edited.jsonl', 'write:manifest.json'], 6);
});
