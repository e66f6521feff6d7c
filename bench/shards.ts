/**
 * Throughput of a sharded run against the number of local workers, n-gram path: the full
 * toedit-ngram pipeline (calibrated ToEdit, synthetic baseline, audit) on the Brown held-out
 * split repeated `--times` times as JSONL. Each configuration runs in a fresh CLI process,
 * several times; the table shows medians of the wall time from the start of the run to the
 * merged manifest (plan and calibration, tasks, merge), and of the parallel phase alone (from the
 * plan to the last task done), with speed-ups over the single-machine run and over one worker.
 * The cases take turns, round after round.
 * JSON goes to bench/results/shards-x<times>.json.
 *
 *   make build && node --import tsx bench/shards.ts [--runs N] [--times N] [--cases workers-1,workers-2]
 *                                                  [--pipeline pipelines/toedit.json] [--docs N]
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { readBrown } from '../src/corpus/brown.js';

const flag = (name: string, fallback: number) => Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) || fallback;
const runs = flag('runs', 3);
const times = flag('times', 2);
// The neural path: --pipeline pipelines/toedit.json with --docs to keep its generation short.
const pipelineFile = process.argv.includes('--pipeline') ? process.argv[process.argv.indexOf('--pipeline') + 1] : 'pipelines/toedit-ngram.json';
const docs = flag('docs', Infinity);
if (!existsSync('dist/src/cli.js')) throw new Error('build the CLI first: make build');
const work = mkdtempSync(join(tmpdir(), 'tailguard-bench-shards-'));

const input = join(work, `heldout-x${times}.jsonl`);
const out = createWriteStream(input);
for (let r = 0; r < times; r++) {
  let n = 0;
  for await (const d of readBrown('heldout')) if (n++ < docs && !out.write(JSON.stringify({ id: `${d.id}#${r}`, text: d.text, category: d.meta.category }) + '\n')) await once(out, 'drain');
}
out.end();
await once(out, 'finish');
const pipeline = join(work, 'pipeline.json');
writeFileSync(pipeline, JSON.stringify({ ...JSON.parse(readFileSync(pipelineFile, 'utf8')), name: 'bench-shards', input: { format: 'jsonl', path: input } }));

/** A case: no sharding at all, or `worldSize` tasks on `workers` worker threads. */
interface Case {
  name: string;
  sharded?: { worldSize: number; workers: number };
}

function runOnce(c: Case, i: number) {
  const dir = join(work, `${c.name}-${i}`);
  // The built CLI, as users run it: under tsx every process (the parent and each worker) also runs
  // tsx's loader thread and compiles TypeScript at start: 6-11 s more per run at x8, the same ratio.
  const args = ['dist/src/cli.js', 'run', pipeline, '--out', dir, '--quiet', '--force'];
  if (c.sharded) args.push('--world-size', String(c.sharded.worldSize), '--workers', String(c.sharded.workers));
  execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  // The parallel phase of a sharded run: from the plan to the last task done (worker start and prior load included).
  const phase = c.sharded ? (m.timings.tasksWallSeconds as number) : (m.timings.processSeconds as number);
  return { tokens: m.summary.tokens as number, wallSeconds: m.timings.wallSeconds as number, phaseSeconds: phase, edited: readFileSync(join(dir, 'edited.jsonl')) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpus = availableParallelism();
const allCases: Case[] = [
  { name: 'single-machine' },
  { name: 'workers-1', sharded: { worldSize: 1, workers: 1 } },
  { name: 'workers-2', sharded: { worldSize: 2, workers: 2 } },
  { name: 'workers-2-tasks-8', sharded: { worldSize: 8, workers: 2 } },
  ...(cpus >= 4 ? [{ name: 'workers-4', sharded: { worldSize: 4, workers: 4 } }] : []),
];
// --cases picks some (a larger corpus takes long); speed-ups are over the first case picked.
const picked = process.argv.includes('--cases') ? process.argv[process.argv.indexOf('--cases') + 1].split(',') : null;
const cases = picked ? allCases.filter((c) => picked.includes(c.name)) : allCases;
if (cases.length === 0) throw new Error(`--cases names none of ${allCases.map((c) => c.name).join(', ')}`);

// Warm the n-gram cache file so no measured run includes training.
runOnce({ name: 'warmup' }, 0);
let reference: Buffer | undefined;
// Rounds over the cases rather than all runs of one case then the next: a change of load on this
// shared machine then falls on every case alike.
const all = cases.map(() => [] as ReturnType<typeof runOnce>[]);
for (let i = 0; i < runs; i++) cases.forEach((c, k) => all[k].push(runOnce(c, i)));
const results = cases.map((c, k) => {
  const samples = all[k];
  reference ??= samples[0].edited;
  // A benchmark of a wrong result is worthless: every run must write the same edited corpus.
  for (const s of samples) if (!s.edited.equals(reference)) throw new Error(`${c.name}: edited.jsonl differs from the single-machine run's`);
  const wall = median(samples.map((s) => s.wallSeconds));
  const phase = median(samples.map((s) => s.phaseSeconds));
  return { case: c.name, ...c.sharded, tokens: samples[0].tokens, runs, medianWallSeconds: wall, tokensPerSecond: Math.round(samples[0].tokens / wall), medianPhaseSeconds: phase, wallSeconds: samples.map((s) => s.wallSeconds), phaseSeconds: samples.map((s) => s.phaseSeconds) };
});
const base = results.find((r) => r.case === 'single-machine')?.medianWallSeconds ?? NaN;
const oneWorker = results.find((r) => r.case === 'workers-1') ?? results[0];
// Speed-ups within each round too (one worker's run over this case's run of the same round): the
// machine's speed drifts between rounds, and a ratio of two runs made minutes apart cancels it.
const oneWorkerRuns = all[results.indexOf(oneWorker)];
const rows = results.map((r, k) => {
  const roundSpeedups = all[k].map((s, i) => oneWorkerRuns[i].wallSeconds / s.wallSeconds);
  return { ...r, speedupVsSingle: base / r.medianWallSeconds, speedupVsOneWorker: oneWorker.medianWallSeconds / r.medianWallSeconds, roundSpeedups, medianRoundSpeedup: median(roundSpeedups), phaseSpeedupVsOneWorker: oneWorker.medianPhaseSeconds / r.medianPhaseSeconds };
});

mkdirSync('bench/results', { recursive: true });
const resultFile = `bench/results/shards-${basename(pipelineFile, '.json')}-x${times}${Number.isFinite(docs) ? `-${docs}docs` : ''}.json`;
writeFileSync(resultFile, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus, times, results: rows }, null, 2));
console.log(`sharded run of ${pipelineFile} on ${Number.isFinite(docs) ? `the first ${docs} documents of ` : ''}Brown held-out x${times}, medians of ${runs} runs, ${cpus} CPUs (${resultFile})`);
console.log('wall: start to merged manifest; tasks phase: plan written to last task done (single machine: its processing pass)');
console.log('case                tasks  workers   tokens   wall s   tokens/s   vs single   vs 1 worker   per round: median (range)   tasks phase s   phase vs 1 worker');
for (const r of rows) {
  // A case not run (the single-machine one, left out by --cases) has no ratio: a dash, not NaN.
  const x = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}x` : '-');
  const range = `${x(Math.min(...r.roundSpeedups))}-${x(Math.max(...r.roundSpeedups))}`;
  console.log(`${r.case.padEnd(18)} ${String(r.worldSize ?? '-').padStart(6)} ${String(r.workers ?? '-').padStart(8)} ${String(r.tokens).padStart(8)} ${r.medianWallSeconds.toFixed(1).padStart(8)} ${String(r.tokensPerSecond).padStart(10)} ${x(r.speedupVsSingle).padStart(11)} ${x(r.speedupVsOneWorker).padStart(13)} ${`${x(r.medianRoundSpeedup)} (${range})`.padStart(26)} ${r.medianPhaseSeconds.toFixed(1).padStart(15)} ${x(r.phaseSpeedupVsOneWorker).padStart(19)}`);
}
