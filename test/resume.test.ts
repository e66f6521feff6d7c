import test from 'ava';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readBrown } from '../src/index.js';
import { type CliResult, cli, interruptAt, writeJsonlPipeline } from './helpers/cli.js';
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

/** Start a run and send `signal` once its checkpoint reaches `at`; the run must not have finished by then. */
const interrupt = (out: string, at: number, signal: NodeJS.Signals, resume: boolean): Promise<CliResult> =>
  interruptAt(['run', pipeline, '--out', out, '--quiet', ...(resume ? ['--resume'] : [])], out, at, signal);

const fileNames = async (out: string) => (await readdir(out)).filter((f) => f.endsWith('.jsonl') || /^(report|stats\.\w+)\.json$/.test(f)).sort();
const stable = (manifest: Record<string, unknown>): Record<string, unknown> => ({ ...manifest, timings: null, summary: { ...(manifest.summary as object), wallSeconds: null, tokensPerSecond: null } });

test.after.always(() => removeTempDir(dir));

test('killed with SIGKILL and SIGINT at several points and resumed (other settings refused), a run ends with the files of an uninterrupted run, byte for byte', async (t) => {
  const ref = join(dir, 'ref');
  const whole = await cli(['run', pipeline, '--out', ref, '--quiet']);
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
