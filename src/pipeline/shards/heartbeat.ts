import { writeFileSync } from 'node:fs';
import { rm, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TailguardError } from '../../errors.js';
import { writeJsonAtomic } from '../../run-io/run-folder.js';

/**
 * A task's liveness, on the shared run folder so `tailguard status` can tell from anywhere
 * whether it is running, was stopped, or died: `running.json` (host, pid, start) is touched
 * every HEARTBEAT_SECONDS while the task runs and removed when it ends; `failed.json` records
 * the error a task stopped on. A `running.json` left untouched for STALE_SECONDS means the
 * process was killed or its machine lost.
 */
export const HEARTBEAT_SECONDS = 10;
export const STALE_SECONDS = 3 * HEARTBEAT_SECONDS;
export const RUNNING = 'running.json';
export const FAILED = 'failed.json';

export interface Heartbeat {
  /** The task finished (done.json written) or was stopped cleanly with a checkpoint. */
  ended(): Promise<void>;
  /** The task stopped on an error: recorded in failed.json. */
  failed(e: unknown): Promise<void>;
  /** The task is another process's now: stop beating, touch none of its files. */
  abandon(): void;
}

export function startHeartbeat(tdir: string): Heartbeat {
  const running = join(tdir, RUNNING);
  const who = { host: hostname(), pid: process.pid, since: new Date().toISOString() };
  writeFileSync(running, JSON.stringify(who) + '\n');
  const beat = setInterval(() => {
    const now = new Date();
    utimes(running, now, now).catch(() => {});
  }, HEARTBEAT_SECONDS * 1000);
  beat.unref();
  const stop = async () => {
    clearInterval(beat);
    await rm(running, { force: true });
  };
  return {
    ended: async () => {
      await stop();
      await rm(join(tdir, FAILED), { force: true });
    },
    abandon: () => clearInterval(beat),
    failed: async (e) => {
      await stop();
      const error = { code: e instanceof TailguardError ? e.code : 'internal', message: (e as Error).message };
      await writeJsonAtomic(join(tdir, FAILED), { ...who, at: new Date().toISOString(), error }, true).catch(() => {});
    },
  };
}
