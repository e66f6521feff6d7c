import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChildProcess, fork } from 'node:child_process';
import { checkCorpus } from '../../corpus/read.js';
import { type ErrorCode, TailguardError } from '../../errors.js';
import type { PriorModel } from '../../prior/types.js';
import type { PipelineConfig } from '../config.js';
import { openPrior } from '../open-prior.js';
import { prepareRunFolder } from '../run-folder.js';
import type { RunResult } from '../run.js';
import { mergeShards } from './merge.js';
import { ensurePlan } from './plan.js';
import { isDone } from './task.js';

export interface LocalRunOptions {
  out?: string;
  seed?: number;
  /** Tasks the corpus is split into. */
  worldSize: number;
  /** Worker processes running tasks at once (default: one per CPU, at most one per task). */
  workers?: number;
  /** Replace a finished (or started) run in the output folder. */
  force?: boolean;
  /** Stop the workers; finished tasks stay finished, the others resume from their checkpoints on relaunch. */
  signal?: AbortSignal;
  log?: (message: string) => void;
}

/**
 * Run a pipeline as `worldSize` tasks on a pool of worker processes on this machine, then merge
 * them into the run folder a single-machine run writes, byte for byte. Relaunched, it skips the
 * finished tasks and resumes the others.
 */
export async function runLocal(config: PipelineConfig, o: LocalRunOptions): Promise<RunResult> {
  const started = Date.now();
  const log = o.log ?? (() => {});
  const dir = o.out ?? config.output.dir ?? join('runs', config.name);
  await checkCorpus(config.input);
  await prepareRunFolder(dir, { force: o.force ?? false, resume: true, inputs: config.input.format === 'brown' ? [] : [config.input.path] });
  let opened: PriorModel | undefined;
  const plan = await ensurePlan(config, dir, { worldSize: o.worldSize, seed: o.seed ?? config.seed, log, prior: async () => (opened = await openPrior(config.prior, log)) });
  await opened?.dispose();
  const planned = Date.now();
  const pending = Array.from({ length: plan.worldSize }, (_, r) => r).filter((r) => !isDone(dir, r));
  if (pending.length < plan.worldSize) log(`${plan.worldSize - pending.length} of ${plan.worldSize} tasks finished earlier: skipped`);
  const workers = Math.max(1, Math.min(o.workers ?? availableParallelism(), pending.length));
  if (pending.length) await inWorkers(dir, pending, workers, log, o.signal);
  // The serial part (planning: the prior's load and a calibration pass) apart from the parallel one (worker start included).
  const timings = { planSeconds: (planned - started) / 1000, tasksWallSeconds: (Date.now() - planned) / 1000 };
  return mergeShards(dir, { started, log, timings });
}

interface TaskMessage {
  rank: number;
  skipped?: boolean;
  seconds?: number;
  read?: number;
  error?: { code: ErrorCode; message: string };
}

/** Each worker takes the next pending task when it is done; the first failure stops them all. */
function inWorkers(dir: string, ranks: number[], workers: number, log: (m: string) => void, signal?: AbortSignal): Promise<void> {
  let next = 0;
  let finished = 0;
  return new Promise((resolve, reject) => {
    const pool = Array.from({ length: workers }, () => startWorker(dir));
    let over = false;
    const stop = (e?: TailguardError) => {
      if (over) return;
      over = true;
      signal?.removeEventListener('abort', onAbort);
      for (const w of pool) w.kill();
      if (e) reject(e);
      else resolve();
    };
    const onAbort = () => stop(new TailguardError('interrupted', `interrupted by ${typeof signal!.reason === 'string' ? signal!.reason : 'an abort'} with ${ranks.length - finished} tasks unfinished; relaunch to resume them (finished tasks are skipped)`));
    signal?.addEventListener('abort', onAbort);
    if (signal?.aborted) return onAbort();
    for (const worker of pool) {
      const feed = () => {
        if (next < ranks.length) worker.send({ rank: ranks[next++] });
      };
      worker.on('message', (m: TaskMessage) => {
        if (m.error) return stop(new TailguardError(m.error.code, `task ${m.rank}: ${m.error.message}`));
        log(`task ${m.rank} done: ${m.read} records in ${m.seconds!.toFixed(1)}s (${++finished}/${ranks.length})`);
        if (finished === ranks.length) return stop();
        feed();
      });
      worker.once('error', (e) => stop(new TailguardError('internal', `a task worker failed: ${e.message}`, { cause: e })));
      worker.once('exit', (code) => stop(new TailguardError('internal', `a task worker exited early with code ${code}`)));
      feed();
    }
  });
}

/**
 * A worker process. Processes rather than threads: the priors load native addons (onnxruntime,
 * sharp) that are not safe to tear down with a worker thread. The worker module has this
 * module's extension: .js when built, .ts when run from sources, where it needs tsx's loader.
 */
function startWorker(dir: string): ChildProcess {
  const ext = extname(fileURLToPath(import.meta.url));
  return fork(fileURLToPath(new URL(`./worker${ext}`, import.meta.url)), [dir], { execArgv: ext === '.js' ? process.execArgv : ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}
