import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { Redis } from 'ioredis';
import { TailguardError } from '../../errors.js';

/**
 * What the BullMQ executor's two sides share: the job's data and result, queue and job names,
 * retry and lock settings, and the registry through which workers find the runs' queues.
 */

/**
 * A job: one task of the sharded run in the absolute folder `dir`. Every worker must see that
 * folder at that path (a shared filesystem), and `cwd`, the run's working folder, which the
 * pipeline's relative paths (input, model) are relative to.
 */
export interface TaskJob {
  dir: string;
  rank: number;
  worldSize: number;
  cwd: string;
}

/** What a job reports while it runs: the task's records read so far, those before a resumed checkpoint included. */
export interface TaskProgress {
  read: number;
}

/** What a finished job returns. */
export interface TaskResult {
  rank: number;
  read: number;
  seconds: number;
  worker: string;
}

/** A failed attempt is retried twice, after 10 s then 20 s; a config or data error is not retried. */
export const ATTEMPTS = 3;
export const BACKOFF = { type: 'exponential', delay: 10_000 } as const;
/** A job whose worker dies twice is failed on the third death: by then the task itself is the likely cause (memory). */
export const MAX_STALLED = 2;
/**
 * How long a job's lock lasts unless renewed (every half of it). Longer than a batch can hold
 * the event loop; a dead worker's task waits this long (plus one stalled check) to be taken up.
 */
export const DEFAULT_LOCK_SECONDS = 60;

/** Stalled jobs are looked for every half lock (BullMQ's default is 30 s for a 30 s lock). */
export function stalledInterval(lockMs: number): number {
  return Math.min(30_000, Math.max(250, Math.round(lockMs / 2)));
}

/**
 * Sorted set of the queues of runs under way (score: when first registered), so that workers
 * started without --queue find them, the oldest run first.
 */
export const REGISTRY = 'tailguard:queues';

/** A run's name in Redis: the folder's name (for people) and a hash of its absolute path (for uniqueness). */
function runKey(dir: string): string {
  const name = basename(dir).replace(/[^\w.-]+/g, '_').slice(0, 40) || 'run';
  return `${name}-${createHash('sha256').update(dir).digest('hex').slice(0, 8)}`;
}

/** The queue of the run in the absolute folder `dir`, when --queue does not name one. */
export function queueFor(dir: string): string {
  return `tailguard-${runKey(dir)}`;
}

/** A task's job id: the same for every launch of the run, so a relaunch never enqueues a task twice. */
export function jobId(dir: string, rank: number): string {
  return `${jobPrefix(dir)}${rank}`;
}

/** What the ids of a run's jobs start with (a queue named with --queue may hold other runs' jobs). */
export function jobPrefix(dir: string): string {
  return `${runKey(dir)}-`;
}

/** A Redis URL fit for a log line: its password, if any, masked. */
export function shownUrl(url: string): string {
  return url.replace(/\/\/([^@/]*):[^@/]*@/, '//$1:***@');
}

/** BullMQ's connection options for a Redis URL. */
export function connection(url: string): { url: string } {
  return { url };
}

/**
 * A Redis client for the registry, checked at once: an unreachable server is an error naming
 * the URL, not a silent wait (clients retry for ever by default). Once connected it reconnects
 * as usual.
 */
export async function openRedis(url: string): Promise<Redis> {
  let redis: Redis;
  try {
    redis = new Redis(url, { lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: 1, retryStrategy: () => null });
  } catch (e) {
    throw new TailguardError('config', `--redis ${shownUrl(url)}: not a Redis URL (${(e as Error).message}); e.g. redis://127.0.0.1:6379`, { cause: e });
  }
  // Without a listener a connection error would be printed as unhandled; commands report it anyway.
  let failure: Error | undefined;
  redis.on('error', (e: Error) => (failure = e));
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    redis.disconnect();
    throw new TailguardError('config', `cannot reach Redis at ${shownUrl(url)} (${(failure ?? (e as Error)).message}); start redis-server there or pass another --redis URL`, { cause: e });
  }
  redis.options.retryStrategy = (times: number) => Math.min(times * 500, 5000);
  redis.options.maxRetriesPerRequest = 20;
  return redis;
}
