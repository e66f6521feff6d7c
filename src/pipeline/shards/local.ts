import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkCorpus } from '../../corpus/read.js';
import type { PipelineConfig } from '../config.js';
import { Progress } from '../../progress.js';
import { prepareRunFolder } from '../../run-io/run-folder.js';
import type { RunResult } from '../run.js';
import { ShardMerger } from './merge.js';
import { type Planner, ensurePlan, planPath } from './plan.js';
import { WorkerPool } from './pool.js';
import { isDone } from './task.js';

export interface LocalRunOptions {
  out?: string;
  seed?: number;
  /** Tasks the corpus is split into. */
  worldSize: number;
  /** Worker processes running tasks at once (default: one per CPU for the n-gram prior, one for a neural prior; at most one per task). */
  workers?: number;
  /** Replace a finished (or started) run in the output folder. */
  force?: boolean;
  /** Stop the workers; finished tasks stay finished, the others resume from their checkpoints on relaunch. */
  signal?: AbortSignal;
  log?: (message: string) => void;
}

/**
 * Run a pipeline as `worldSize` tasks on a pool of worker processes on this machine, then merge
 * them into the run folder a single-machine run writes, byte for byte. The workers open the
 * prior while the corpus is split, calibrate the tasks in parallel and keep those scores for
 * the editing pass, so the corpus is scored once, as in a single run. Relaunched, it skips the
 * finished tasks and resumes the others.
 */
export async function runLocal(config: PipelineConfig, o: LocalRunOptions): Promise<RunResult> {
  const started = Date.now();
  const log = o.log ?? (() => {});
  const dir = o.out ?? config.output.dir ?? join('runs', config.name);
  await checkCorpus(config.input);
  await prepareRunFolder(dir, { force: o.force ?? false, resume: true, inputs: config.input.format === 'brown' ? [] : [config.input.path] });
  const requested = Math.max(1, o.workers ?? defaultWorkers(config));
  let pool: WorkerPool | undefined;
  const startPool = (tasks: number) => (pool ??= new WorkerPool(dir, config, Math.min(requested, tasks), o.signal));
  // A new run: start the workers now, so their prior loads while the corpus is split.
  if (!existsSync(planPath(dir))) startPool(o.worldSize);
  try {
    const planner: Planner = { identity: () => startPool(o.worldSize).identity(), calibrate: (tasks) => startPool(o.worldSize).calibrate(tasks) };
    const plan = await ensurePlan(config, dir, { worldSize: o.worldSize, seed: o.seed ?? config.seed, log, prior: planner });
    const planned = Date.now();
    const ranks = Array.from({ length: plan.worldSize }, (_, r) => r);
    const pending = ranks.filter((r) => !isDone(dir, r));
    if (pending.length < plan.worldSize) log(`${plan.worldSize - pending.length} of ${plan.worldSize} tasks finished earlier: skipped`);
    // Tasks are merged as they finish, while the others run: only the last ones wait for the end.
    const merger = await ShardMerger.open(dir, plan);
    for (const r of ranks) if (!pending.includes(r)) merger.add(r);
    try {
      if (pending.length) {
        const workers = startPool(pending.length);
        log(`running ${pending.length} task${pending.length === 1 ? '' : 's'} on ${workers.size} worker process${workers.size === 1 ? '' : 'es'}`);
        await runPending(workers, pending, (rank) => merger.add(rank), log);
      }
    } catch (e) {
      await merger.abort();
      throw e;
    }
    // The serial part (splitting, and waiting for the calibration) apart from the parallel one.
    const timings = { planSeconds: (planned - started) / 1000, tasksWallSeconds: (Date.now() - planned) / 1000 };
    pool?.close();
    return await merger.finish({ started, log, timings });
  } finally {
    pool?.close();
  }
}

/** Run the pending tasks with a progress bar across all of them and a line per finished task. */
async function runPending(pool: WorkerPool, ranks: number[], finished: (rank: number) => void, log: (m: string) => void): Promise<void> {
  // The total is known when the calibration read the whole corpus; otherwise it is estimated from the finished tasks.
  const progress = new Progress(`${ranks.length} tasks`, pool.records, 'tokens');
  let read = 0;
  await pool.run(ranks, {
    progress: (_, records, tokens) => progress.tick(records, tokens),
    done: (m, count) => {
      finished(m.rank);
      read += m.read;
      if (pool.records === undefined && count < ranks.length) progress.expect(Math.round((read / count) * ranks.length));
      // The CLI's log prints above the bar; the bar stays.
      log(`task ${m.rank} ${m.skipped ? 'finished earlier' : 'done'}: ${m.read} records in ${m.seconds.toFixed(1)}s (${count}/${ranks.length})`);
    },
  });
  progress.finish();
}

/**
 * One worker per CPU for the n-gram prior, which scores on one thread. A neural prior's process
 * already keeps the cores busy (onnxruntime's threads: 1.7-1.9 cores of this 2-core machine), so
 * more than one per machine compete: two workers ran at 0.87x the speed of one in
 * bench/shards.ts. `--workers` still sets any number.
 */
function defaultWorkers(config: PipelineConfig): number {
  return config.prior.type === 'transformers' ? 1 : availableParallelism();
}
