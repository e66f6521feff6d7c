import { inputName, isNonSeekable } from '../../corpus/spool.js';
import { TailguardError } from '../../errors.js';
import { shellQuote } from '../../shell-quote.js';
import type { PipelineConfig } from '../config.js';
import type { RunResult } from '../run.js';
import { runLocal } from './local.js';
import { runOneTask } from './one-task.js';
import { runSlurm } from './slurm.js';

const EXECUTORS = ['local', 'slurm', 'bullmq'];

export interface ShardedOptions {
  worldSize: number;
  /** Only this task (an element of an array job); then `tailguard merge` once all are done. */
  rank?: number;
  executor?: string;
  out?: string;
  seed?: number;
  force: boolean;
  workers?: number;
  /** Slurm: extra #SBATCH lines, and whether to submit the scripts or only write them. */
  sbatch?: string[];
  submit?: boolean;
  /** BullMQ: the Redis server, the queue and the job lock. */
  redis?: string;
  queue?: string;
  lockSeconds?: number;
  signal?: AbortSignal;
  log: (message: string) => void;
}

/** What a sharded launch did: a whole run (merged), scripts written or submitted, or one task. */
export type ShardedOutcome = { kind: 'run'; result: RunResult } | { kind: 'message'; message: string };

/**
 * A run split into tasks, on the chosen executor: all of them on worker processes here and then
 * the merge (local), one task (`rank`), an array job (Slurm) or a queue (BullMQ). Options that do
 * not fit the executor are refused, naming why.
 */
export async function runSharded(config: PipelineConfig, o: ShardedOptions): Promise<ShardedOutcome> {
  const { worldSize, rank, seed, log } = o;
  if (worldSize < 1) throw new TailguardError('config', '--world-size expects at least 1 task');
  if (config.input.format !== 'brown' && isNonSeekable(config.input.path)) {
    throw new TailguardError('config', `${inputName(config.input.path)}: the tasks of a sharded run each read the input file, so it cannot be standard input or a pipe; save it to a file first`);
  }
  const executor = o.executor ?? 'local';
  if (!EXECUTORS.includes(executor)) throw new TailguardError('config', `--executor expects local, slurm or bullmq, got "${executor}"`);
  if (executor === 'bullmq') {
    if (rank !== undefined) throw new TailguardError('config', '--rank and --executor bullmq do not go together: the workers take the tasks from the queue');
    if (o.workers !== undefined) throw new TailguardError('config', '--workers is not for --executor bullmq: start as many `tailguard worker` processes as you want instead');
    if (!o.redis) throw new TailguardError('config', '--executor bullmq needs --redis URL: the Redis server the workers take the tasks from, e.g. redis://127.0.0.1:6379');
    const { runBullmq } = await import('./bullmq.js');
    return { kind: 'run', result: await runBullmq(config, { out: o.out, seed, worldSize, force: o.force, redis: o.redis, queue: o.queue, lockSeconds: o.lockSeconds, log, signal: o.signal }) };
  }
  if (executor === 'slurm') {
    if (rank !== undefined) throw new TailguardError('config', '--rank and --executor slurm do not go together: Slurm gives each array element its rank');
    const { scripts, jobs } = await runSlurm(config, { out: o.out, seed, worldSize, workers: o.workers, sbatch: o.sbatch, submit: o.submit ?? true, force: o.force, log });
    const message = jobs
      ? `submitted array job ${jobs.tasks} (${worldSize} tasks, ${scripts.tasks}) and merge job ${jobs.merge} (${scripts.merge})`
      : `wrote ${scripts.tasks} and ${scripts.merge}; submit with: sbatch ${shellQuote(scripts.tasks)}, then sbatch --dependency=afterok:<its job id> ${shellQuote(scripts.merge)}`;
    return { kind: 'message', message };
  }
  if (rank === undefined) return { kind: 'run', result: await runLocal(config, { out: o.out, seed, worldSize, workers: o.workers, force: o.force, signal: o.signal, log }) };
  if (o.force) throw new TailguardError('config', "--force cannot be used with --rank: it would clear the other tasks' work; clear the folder before launching the tasks");
  const { dir, skipped, done } = await runOneTask(config, { out: o.out, seed, worldSize, rank, signal: o.signal, log });
  const { read, written, rejected } = done.accounting.total;
  return { kind: 'message', message: `task ${rank} of ${worldSize}: ${skipped ? 'finished earlier, skipped' : 'done'} (${read} read, ${written} written, ${rejected} rejected) in ${dir}` };
}
