import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { TailguardError } from '../../errors.js';
import { join } from 'node:path';
import { RUN_FILES } from '../../run-io/run-folder.js';
import { shellQuote } from '../../shell-quote.js';
import { FAILED, RUNNING, STALE_SECONDS } from './heartbeat.js';
import { isMerged } from './merge.js';
import { loadPlan, taskDir } from './plan.js';
import { isDone, loadDone } from './task.js';

/**
 * One task as its folder shows it: `done`; `running` (its heartbeat is fresh: where, since when);
 * `stalled` (its heartbeat stopped: the process was killed or its machine lost; a relaunch
 * resumes it); `failed` (stopped on an error, given); `stopped` (interrupted cleanly with a
 * checkpoint); `pending` (never started).
 */
export interface TaskStatus {
  rank: number;
  state: 'done' | 'running' | 'stalled' | 'failed' | 'stopped' | 'pending';
  /** Input records processed: all of them when done, as of the last checkpoint otherwise. */
  records: number;
  seconds?: number;
  /** Where it runs or ran (running, stalled, failed). */
  host?: string;
  pid?: number;
  /** Seconds since the last heartbeat (running, stalled). */
  heartbeatAge?: number;
  error?: string;
}

/** When the status is taken: the clock and how old a heartbeat may be before its task counts as stalled. */
export interface StatusClock {
  /** Now, in ms since the epoch (default: the clock's). */
  now?: number;
  /** Seconds without a heartbeat after which a running task is stalled (default STALE_SECONDS). */
  stalledAfter?: number;
}

/** A folder that is not there is a wrong argument (input), not a broken run folder (output). */
export function checkFolderExists(dir: string): void {
  if (!existsSync(dir)) throw new TailguardError('input', `${dir}: no such folder; give the output folder of a run (--out of tailguard run)`);
}

/** The tasks of the sharded run in `dir`, from the files in its task folders, and whether they are merged (its manifest is written). */
export async function shardStatus(dir: string, clock: StatusClock = {}): Promise<{ worldSize: number; merged: boolean; tasks: TaskStatus[] }> {
  checkFolderExists(dir);
  const now = clock.now ?? Date.now();
  const stalledAfter = clock.stalledAfter ?? STALE_SECONDS;
  const plan = await loadPlan(dir);
  const tasks: TaskStatus[] = [];
  for (let rank = 0; rank < plan.worldSize; rank++) {
    if (isDone(dir, rank)) {
      const done = await loadDone(dir, rank);
      tasks.push({ rank, state: 'done', records: done.accounting.total.read, seconds: done.seconds });
      continue;
    }
    const tdir = taskDir(dir, rank);
    const position = await checkpointPosition(join(tdir, RUN_FILES.checkpoint));
    const records = position ?? 0;
    const running = await readJson<{ host: string; pid: number }>(join(tdir, RUNNING));
    if (running) {
      const age = (now - (await stat(join(tdir, RUNNING))).mtimeMs) / 1000;
      tasks.push({ rank, state: age > stalledAfter ? 'stalled' : 'running', records, host: running.host, pid: running.pid, heartbeatAge: Math.round(age) });
      continue;
    }
    const failed = await readJson<{ host: string; pid: number; error: { message: string } }>(join(tdir, FAILED));
    if (failed) tasks.push({ rank, state: 'failed', records, host: failed.host, pid: failed.pid, error: failed.error.message });
    else tasks.push({ rank, state: position === null ? 'pending' : 'stopped', records });
  }
  return { worldSize: plan.worldSize, merged: isMerged(dir), tasks };
}

/** The input position of a task's checkpoint, or null without one (checkpoints are renamed into place whole). */
export async function checkpointPosition(path: string): Promise<number | null> {
  return (await readJson<{ position: number }>(path))?.position ?? null;
}

/** A JSON file written whole (renamed into place), or null when it is not there. */
export async function readJson<T>(path: string): Promise<T | null> {
  const text = await readFile(path, 'utf8').catch(() => null);
  return text === null ? null : (JSON.parse(text) as T);
}

/** The status as `tailguard status` prints it: a line per task, then what is left to do. */
export function formatStatus(dir: string, { worldSize, merged, tasks }: { worldSize: number; merged: boolean; tasks: TaskStatus[] }): string {
  const lines = tasks.map((t) => `task ${String(t.rank).padStart(5)}  ${t.state.padEnd(7)}  ${t.records} records${t.seconds === undefined ? '' : ` in ${t.seconds.toFixed(1)}s`}${taskWhere(t)}`);
  const count = (state: string) => tasks.filter((t) => t.state === state).length;
  const states = ['running', 'stalled', 'failed', 'stopped', 'pending'].filter((s) => count(s) > 0).map((s) => `${count(s)} ${s}`);
  lines.push(`${count('done')} of ${worldSize} done${states.length ? `, ${states.join(', ')}` : ''}${count('done') === worldSize ? (merged ? ', merged' : `: merge with tailguard merge ${shellQuote(dir)}`) : ''}`);
  if (count('stalled') + count('failed') + count('stopped') > 0) lines.push('relaunch the run (or the task) to resume stalled, failed and stopped tasks from their checkpoints');
  return lines.join('\n');
}

/** Where a running, stalled or failed task is, and its heartbeat or error. */
function taskWhere(t: TaskStatus): string {
  if (t.host === undefined) return '';
  if (t.state === 'failed') return `  on ${t.host} (pid ${t.pid}): ${t.error}`;
  return `  on ${t.host} (pid ${t.pid}), heartbeat ${t.heartbeatAge}s ago`;
}
