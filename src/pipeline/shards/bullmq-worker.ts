import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Job, Queue, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { TailguardError } from '../../errors.js';
import type { PriorModel } from '../../prior/types.js';
import type { PriorConfig } from '../../prior/config.js';
import { openPrior } from '../../prior/open.js';
import { RUN_FILES } from '../../run-io/run-folder.js';
import { JobLease } from './bullmq-lease.js';
import { DEFAULT_LOCK_SECONDS, MAX_STALLED, REGISTRY, type TaskJob, type TaskProgress, type TaskResult, connection, openRedis, shownUrl, stalledInterval } from './bullmq-queue.js';
import { loadPlan, taskDir } from './plan.js';
import { checkpointPosition } from './status.js';
import { TaskNotOwned, runTask } from './task.js';

export interface BullmqWorkerOptions {
  redis: string;
  /** Serve this queue only; otherwise the queues of the runs registered in Redis, the oldest run first. */
  queue?: string;
  /** The job lock's duration (default 60 s); see bullmq-lease.ts. */
  lockSeconds?: number;
  /** Stop: the current task saves a checkpoint and its job goes back to the queue. */
  signal?: AbortSignal;
  log?: (message: string) => void;
}

/** Errors a retry cannot mend: the job fails at once instead of being tried again. */
const FAIL_FAST = new Set(['config', 'input', 'model']);

/**
 * `tailguard worker`: take tasks of sharded runs from BullMQ queues, one at a time, until the
 * signal. It serves one queue at a time: the one named, or the oldest registered run's with jobs
 * waiting, and looks again once that queue has none. Before taking jobs from a queue it opens the
 * prior of the run of a waiting job, so no job's lock waits on a model load (which can hold the
 * event loop for seconds); the prior stays open while the runs use the same one. Resolves with
 * the number of tasks finished.
 */
export async function serveBullmq(o: BullmqWorkerOptions): Promise<number> {
  const log = o.log ?? (() => {});
  const name = `${hostname()}:${process.pid}`;
  const lockMs = (o.lockSeconds ?? DEFAULT_LOCK_SECONDS) * 1000;
  const registry = await openRedis(o.redis);
  const priors = new PriorCache(log);
  const watched = new Map<string, Queue<TaskJob, TaskResult>>();
  let tasks = 0;
  log(`worker ${name}: serving ${o.queue ? `queue ${o.queue}` : 'the runs registered'} at ${shownUrl(o.redis)} (lock ${lockMs / 1000}s)`);
  try {
    while (!o.signal?.aborted) {
      const names = o.queue ? [o.queue] : await registry.zrange(REGISTRY, '0', '-1');
      const next = await waitingJob(names, watched, o.redis);
      if (next === undefined) {
        await sleep(1000, undefined, { signal: o.signal }).catch(() => {});
        continue;
      }
      await preload(next.job, priors).catch(() => {}); // the job itself reports what is wrong
      tasks += await serveQueue(next.queue, { ...o, name, lockMs, priors, log });
    }
  } finally {
    await Promise.all([...watched.values()].map((q) => q.close()));
    registry.disconnect();
    await priors.dispose();
  }
  log(`worker ${name}: stopped after ${tasks} tasks`);
  return tasks;
}

/** The first queue of `names` with a job waiting (or delayed, before a retry), and that job. */
async function waitingJob(names: string[], watched: Map<string, Queue<TaskJob, TaskResult>>, url: string): Promise<{ queue: string; job: Job<TaskJob, TaskResult> } | undefined> {
  for (const [name, q] of watched) {
    if (names.includes(name)) continue;
    watched.delete(name);
    await q.close();
  }
  for (const name of names) {
    if (!watched.has(name)) watched.set(name, new Queue(name, { connection: connection(url) }));
    const [job] = await watched.get(name)!.getJobs(['wait', 'prioritized', 'delayed'], 0, 0);
    if (job) return { queue: name, job };
  }
  return undefined;
}

/** Open the prior of a job's run (in the run's working folder), outside any job's lock. */
async function preload(job: Job<TaskJob, TaskResult>, priors: PriorCache): Promise<void> {
  const { dir, cwd } = job.data;
  process.chdir(cwd);
  await priors.get((await loadPlan(dir)).config.prior, cwd);
}

interface ServeContext extends BullmqWorkerOptions {
  name: string;
  lockMs: number;
  priors: PriorCache;
  log: (message: string) => void;
}

/** Run the jobs of one queue until the signal, or until it has no job waiting. */
async function serveQueue(queueName: string, c: ServeContext): Promise<number> {
  let tasks = 0;
  let current: { id: string; lease: JobLease; stop: AbortController } | undefined;
  const worker = new Worker<TaskJob, TaskResult>(
    queueName,
    async (job, token) => {
      const lease = new JobLease(job, token!, c.lockMs);
      const stop = new AbortController();
      // Fetched while stopping: it runs one batch, checkpoints and goes back.
      if (c.signal?.aborted) stop.abort(c.signal.reason);
      current = { id: job.id!, lease, stop };
      try {
        return await runJob(job, token!, lease, stop.signal, c);
      } finally {
        current = undefined;
      }
    },
    { connection: connection(c.redis), concurrency: 1, lockDuration: c.lockMs, stalledInterval: stalledInterval(c.lockMs), maxStalledCount: MAX_STALLED, name: c.name },
  );
  // A failed renewal means another worker may get the job: stop writing now rather than at the lease's end.
  worker.on('lockRenewalFailed', (ids) => {
    if (current && ids.includes(current.id)) current.lease.lose('BullMQ could not renew its lock');
  });
  worker.on('error', (e) => c.log(`worker ${c.name}: ${e.message}`));
  worker.on('completed', () => tasks++);
  const leave = new AbortController();
  const onStop = () => {
    current?.stop.abort(c.signal!.reason);
    leave.abort();
  };
  c.signal?.addEventListener('abort', onStop, { once: true });
  if (c.signal?.aborted) onStop();
  // Drained: nothing waiting when the worker looked. Delayed jobs (a retry's backoff) keep it here.
  const queue = new Queue(queueName, { connection: connection(c.redis) });
  worker.on('drained', () => {
    queue
      .getJobCounts('wait', 'prioritized', 'delayed')
      .then((n) => n.wait + n.prioritized + n.delayed === 0 && leave.abort())
      .catch((e: Error) => c.log(`worker ${c.name}: ${e.message}`));
  });
  try {
    await new Promise((resolve) => leave.signal.addEventListener('abort', resolve, { once: true }));
  } finally {
    c.signal?.removeEventListener('abort', onStop);
    // Waits for a job under way: stopped by the signal, it saves its checkpoint and goes back to the queue.
    await worker.close();
    await queue.close();
  }
  return tasks;
}

/** One job: its task run (or resumed) here under the job's lease, progress reported as it goes. */
async function runJob(job: Job<TaskJob, TaskResult>, token: string, lease: JobLease, signal: AbortSignal, c: ServeContext): Promise<TaskResult> {
  const { dir, rank, worldSize, cwd } = job.data;
  const label = `task ${rank} of ${worldSize} (${dir})`;
  try {
    // The run folder travels as a path: a worker that cannot see it may be on the wrong machine, so this is retried.
    if (!existsSync(dir)) throw new TailguardError('output', `${dir} is not visible on ${c.name}: every worker must see the run folder at the same path (a shared filesystem)`);
    // Relative paths in the pipeline (input, model) are the run's, as the Slurm scripts `cd` to its folder.
    if (!existsSync(cwd)) throw new TailguardError('output', `${cwd}, the run's working folder, is not visible on ${c.name}: every worker must see it at the same path`);
    process.chdir(cwd);
    const plan = await loadPlan(dir);
    if (plan.worldSize !== worldSize) throw new TailguardError('config', `the plan in ${dir} has ${plan.worldSize} tasks, the job ${worldSize}: the run was started again with other settings`);
    const prior = await c.priors.get(plan.config.prior, cwd);
    let read = (await checkpointPosition(join(taskDir(dir, rank), RUN_FILES.checkpoint))) ?? 0;
    c.log(`${label}: ${read ? `resumed from record ${read}` : 'started'} (attempt ${job.attemptsMade + 1} of ${job.opts.attempts ?? 1})`);
    let reported = 0;
    // Reports are throttled to one a second: each is a round trip to Redis and an event for the run.
    const progress = (records: number) => {
      read += records;
      if (Date.now() - reported < 1000) return;
      reported = Date.now();
      job.updateProgress({ read } satisfies TaskProgress).catch(() => {});
    };
    const { skipped, done } = await runTask(plan, dir, rank, { prior, signal, guard: lease.check, progress });
    const result = { rank, read: done.accounting.total.read, seconds: done.seconds, worker: c.name };
    await job.updateProgress({ read: result.read } satisfies TaskProgress);
    c.log(`${label}: ${skipped ? 'finished earlier' : 'done'}, ${result.read} records in ${result.seconds.toFixed(1)}s`);
    return result;
  } catch (e) {
    if (e instanceof TaskNotOwned) {
      c.log(`${label}: ${e.message}`);
      // The job is another worker's now: BullMQ must not complete, fail or retry it from here.
      throw new WaitingError();
    }
    if (e instanceof TailguardError && e.code === 'interrupted' && signal.aborted) {
      // A stop, not a failure: the checkpoint is saved; back in the queue without using an attempt.
      await job.moveToWait(token).catch(() => {});
      const at = await checkpointPosition(join(taskDir(dir, rank), RUN_FILES.checkpoint));
      c.log(`${label}: stopped by ${String(signal.reason)} at record ${at}, checkpoint saved; back in the queue`);
      throw new WaitingError();
    }
    const code = e instanceof TailguardError ? e.code : 'internal';
    // The code leads the message: the run reads it back to exit as a single run would.
    const message = `${code}: ${(e as Error).message}`;
    c.log(`${label}: failed: ${message}`);
    if (FAIL_FAST.has(code)) throw new UnrecoverableError(message);
    throw new Error(message, { cause: e });
  }
}

/**
 * The prior of the last task, kept open for the next one while the pipelines name the same
 * prior (in the same working folder): loading one can take longer than a task.
 */
class PriorCache {
  private key: string | undefined;
  private prior: Promise<PriorModel> | undefined;

  constructor(private readonly log: (message: string) => void) {}

  async get(config: PriorConfig, cwd: string): Promise<PriorModel> {
    const key = JSON.stringify([config, cwd]);
    if (key !== this.key || !this.prior) {
      await this.dispose();
      this.key = key;
      const opening = openPrior(config, this.log);
      this.prior = opening;
      // A prior that failed to open is not kept: the next task tries again.
      opening.catch(() => {
        if (this.prior === opening) this.prior = this.key = undefined;
      });
    }
    return this.prior;
  }

  async dispose(): Promise<void> {
    const prior = this.prior;
    this.prior = undefined;
    this.key = undefined;
    await (await prior?.catch(() => undefined))?.dispose();
  }
}
