import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Job, Queue, Worker } from 'bullmq';
import { checkCorpus } from '../../corpus/read.js';
import { type ErrorCode, TailguardError } from '../../errors.js';
import type { PriorModel } from '../../prior/types.js';
import type { PipelineConfig } from '../config.js';
import { openPrior } from '../../prior/open.js';
import { formatSeconds } from '../../progress.js';
import { prepareRunFolder } from '../../run-io/run-folder.js';
import type { RunResult } from '../run.js';
import { ATTEMPTS, BACKOFF, DEFAULT_LOCK_SECONDS, MAX_STALLED, REGISTRY, type TaskJob, type TaskProgress, type TaskResult, connection, jobId, jobPrefix, openRedis, queueFor, shownUrl, stalledInterval } from './bullmq-queue.js';
import { mergeShards } from './merge.js';
import { ensurePlan, taskDir } from './plan.js';
import { isDone, loadDone } from './task.js';

export interface BullmqRunOptions {
  out?: string;
  seed?: number;
  worldSize: number;
  force?: boolean;
  /** The Redis server's URL, e.g. redis://127.0.0.1:6379. */
  redis: string;
  /** Queue name (default: one per run folder, `tailguard-<folder>-<hash>`). */
  queue?: string;
  /** The workers' lock duration; stalled jobs are looked for every half of it (default 60 s). */
  lockSeconds?: number;
  /** Seconds between progress lines (default 10); a line also follows each finished task. */
  reportSeconds?: number;
  /** Stop waiting: the queued tasks stay queued and workers go on with them. */
  signal?: AbortSignal;
  log?: (message: string) => void;
  /** Plan with this prior instead of opening the one the config names (tests, library callers). */
  prior?: PriorModel;
}

/** A job that finished without its done.json visible here is waited for this long (a shared filesystem's cache) before it is an error. */
const VISIBLE_WITHIN_MS = 120_000;
/** Active first: --force must find a running task before it removes anything. */
const JOB_STATES = ['active', 'wait', 'prioritized', 'delayed', 'failed', 'completed'] as const;

/**
 * The BullMQ executor's enqueuing side: plan the run here, put one job per unfinished task on
 * the run's queue (ids made of the run folder and rank, so a relaunch adds none twice), wait
 * while `tailguard worker` processes take them (logging progress and an ETA, and running the
 * stalled-job check so that a dead worker's task goes back to the queue even when no other
 * worker is on it), then merge into the run folder a single-machine run writes.
 */
export async function runBullmq(config: PipelineConfig, o: BullmqRunOptions): Promise<RunResult> {
  const started = Date.now();
  const log = o.log ?? (() => {});
  // Workers find the folder by this path: absolute, on a filesystem they share.
  const dir = resolve(o.out ?? config.output.dir ?? join('runs', config.name));
  const name = o.queue ?? queueFor(dir);
  const lockMs = (o.lockSeconds ?? DEFAULT_LOCK_SECONDS) * 1000;
  const redis = await openRedis(o.redis);
  const queue = new Queue<TaskJob, TaskResult>(name, { connection: connection(o.redis) });
  const checker = new Worker(name, null, { connection: connection(o.redis), autorun: false, stalledInterval: stalledInterval(lockMs), maxStalledCount: MAX_STALLED });
  checker.on('error', (e) => log(`stalled-job check: ${e.message}`));
  let queued = false;
  let finished = false;
  try {
    if (o.force) await clearJobs(queue, dir, true);
    await checkCorpus(config.input);
    await prepareRunFolder(dir, { force: o.force ?? false, resume: true, inputs: config.input.format === 'brown' ? [] : [config.input.path] });
    let opened: PriorModel | undefined;
    const prior = async () => o.prior ?? (opened = await openPrior(config.prior, log));
    const plan = await ensurePlan(config, dir, { worldSize: o.worldSize, seed: o.seed ?? config.seed, log, prior });
    await opened?.dispose();
    const planned = Date.now();
    const ranks = Array.from({ length: plan.worldSize }, (_, r) => r);
    const pending = ranks.filter((r) => !isDone(dir, r));
    if (pending.length < plan.worldSize) log(`${plan.worldSize - pending.length} of ${plan.worldSize} tasks finished earlier: skipped`);
    const added = await enqueue(queue, dir, plan.worldSize, pending);
    queued = true;
    await redis.zadd(REGISTRY, 'NX', Date.now(), name);
    log(`queue ${name}: ${added} tasks added${pending.length > added ? `, ${pending.length - added} queued earlier` : ''}; waiting for workers (tailguard worker --redis ${shownUrl(o.redis)}${o.queue ? ` --queue ${o.queue}` : ''})`);
    await checker.startStalledCheckTimer();
    await waitForTasks(queue, dir, ranks, pending, o.reportSeconds ?? 10, log, o.signal);
    await checker.close(); // before the queue is removed: a stalled check would write its keys again
    const timings = { planSeconds: (planned - started) / 1000, tasksWallSeconds: (Date.now() - planned) / 1000 };
    const result = await mergeShards(dir, { started, log, timings });
    finished = true;
    // Nothing of the run stays in Redis: a queue of its own goes whole, a named one keeps other runs' jobs.
    if (o.queue) await clearJobs(queue, dir, false);
    else await queue.obliterate({ force: true });
    await redis.zrem(REGISTRY, name);
    return result;
  } catch (e) {
    // A failed task stops the run, as with the local executor: its jobs not yet started are taken
    // off. An error before they were queued leaves the queue alone (it may be another launch's).
    if (queued && !finished && !(e instanceof TailguardError && e.code === 'interrupted')) {
      await clearJobs(queue, dir, false).catch(() => {});
      await redis.zrem(REGISTRY, name).catch(() => {});
    }
    throw e;
  } finally {
    await checker.close();
    await queue.close();
    redis.disconnect();
  }
}

/** Add a job for each rank not queued already; a job left failed or completed by an earlier launch is replaced. */
async function enqueue(queue: Queue<TaskJob, TaskResult>, dir: string, worldSize: number, ranks: number[]): Promise<number> {
  const add: number[] = [];
  for (const rank of ranks) {
    const job = await queue.getJob(jobId(dir, rank));
    const state = job ? await job.getState() : 'unknown';
    if (state === 'failed' || state === 'completed') await job!.remove();
    else if (state !== 'unknown') continue;
    add.push(rank);
  }
  const cwd = process.cwd();
  await queue.addBulk(add.map((rank) => ({ name: `task ${rank}`, data: { dir, rank, worldSize, cwd }, opts: { jobId: jobId(dir, rank), attempts: ATTEMPTS, backoff: BACKOFF } })));
  return add.length;
}

/**
 * Remove the run's jobs that are not running. `refuseActive`: before --force clears the folder,
 * a job running on a worker is an error (it would go on writing into the cleared folder).
 */
async function clearJobs(queue: Queue<TaskJob, TaskResult>, dir: string, refuseActive: boolean): Promise<void> {
  const prefix = jobPrefix(dir);
  for (const state of JOB_STATES) {
    for (const job of await queue.getJobs([state])) {
      if (!job?.id?.startsWith(prefix)) continue;
      if (state !== 'active') await job.remove();
      else if (refuseActive) throw new TailguardError('output', `task ${job.data.rank} of the run in ${dir} is running on worker ${job.processedBy ?? '?'}; stop that worker or let the task finish before --force`);
    }
  }
}

/** Exit codes of a single run, read back from the code a worker puts before a failure's message. */
function failureCode(reason: string | undefined): ErrorCode {
  const code = /^(config|input|model|output|internal): /.exec(reason ?? '')?.[1];
  return (code as ErrorCode | undefined) ?? 'internal';
}

/**
 * Wait until every task has its done.json, logging each finished task and, every
 * `reportSeconds`, the progress of all of them with an ETA. The jobs are polled (a few round
 * trips a second), so nothing depends on catching an event. A job failed for good (after its
 * attempts, or at once for a config or data error) ends the wait with its reason.
 */
async function waitForTasks(queue: Queue<TaskJob, TaskResult>, dir: string, ranks: number[], pending: number[], reportSeconds: number, log: (m: string) => void, signal?: AbortSignal): Promise<void> {
  const open = new Set(pending);
  /** Records read per task: all of a finished task's, the last report of a running one's. */
  const read = new Map<number, number>();
  const doneRecords: number[] = [];
  for (const r of ranks) {
    if (open.has(r)) continue;
    const n = (await loadDone(dir, r)).accounting.total.read;
    read.set(r, n);
    doneRecords.push(n);
  }
  const startRead = sum(read.values());
  const started = Date.now();
  let reported = Date.now();
  const status = (running: number) => {
    const total = sum(read.values());
    const rate = (total - startRead) / Math.max(0.001, (Date.now() - started) / 1000);
    // Tasks are cut to about equal sizes: the finished ones' mean stands for the others.
    const expected = doneRecords.length ? (sum(doneRecords) / doneRecords.length) * ranks.length : NaN;
    const eta = rate > 0 ? Math.max(0, expected - total) / rate : NaN;
    return `${ranks.length - open.size}/${ranks.length} tasks done, ${running} running; ${total} records read, ${rate.toFixed(0)} records/s, ETA ${formatSeconds(eta)}`;
  };
  while (open.size > 0) {
    if (signal?.aborted) throw new TailguardError('interrupted', `interrupted by ${typeof signal.reason === 'string' ? signal.reason : 'an abort'}: the ${open.size} unfinished tasks stay on queue ${queue.name}, where workers go on with them; relaunch to wait for them and merge`);
    let running = 0;
    const finished: string[] = [];
    for (const r of [...open]) {
      const job = (await queue.getJob(jobId(dir, r))) as Job<TaskJob, TaskResult> | undefined;
      if (isDone(dir, r)) {
        open.delete(r);
        const n = (await loadDone(dir, r)).accounting.total.read;
        read.set(r, n);
        doneRecords.push(n);
        finished.push(`task ${r} done${job?.returnvalue ? ` on ${job.returnvalue.worker}` : ''}: ${n} records`);
        continue;
      }
      if (!job) throw new TailguardError('output', `the job of task ${r} is gone from queue ${queue.name} and its done.json is not in ${taskDir(dir, r)}; relaunch to queue it again`);
      const progress = job.progress as TaskProgress | number;
      if (typeof progress === 'object' && progress !== null) read.set(r, progress.read);
      if (job.processedOn && !job.finishedOn) running++;
      if (!job.finishedOn) continue;
      const state = await job.getState();
      if (state === 'failed') {
        const tries = job.attemptsMade <= 1 ? 'at its first attempt, not retried' : `after ${job.attemptsMade} attempts`;
        throw new TailguardError(failureCode(job.failedReason), `task ${r} failed ${tries}: ${job.failedReason}; fix the cause and relaunch (finished tasks are skipped)`);
      }
      if (state === 'completed' && Date.now() - job.finishedOn > VISIBLE_WITHIN_MS) {
        throw new TailguardError('output', `task ${r} finished on worker ${job.returnvalue?.worker ?? '?'} but its done.json is not in ${taskDir(dir, r)}: every worker must see the run folder at the same path (a shared filesystem)`);
      }
    }
    for (const line of finished) log(`${line} (${status(running)})`);
    if (finished.length || Date.now() - reported >= reportSeconds * 1000) {
      if (!finished.length) log(status(running));
      reported = Date.now();
    }
    // A round trip per unfinished task per poll: at least a second apart, longer for thousands of tasks.
    if (open.size > 0) await sleep(Math.max(1000, open.size * 5), undefined, { signal }).catch(() => {});
  }
}

function sum(values: Iterable<number>): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
