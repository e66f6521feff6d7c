import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RUN_FILES } from '../run-folder.js';
import { loadPlan, taskDir } from './plan.js';
import { isDone, loadDone } from './task.js';

/** One task as its folder shows it. */
export interface TaskStatus {
  rank: number;
  /** `started`: a checkpoint but no completion marker: running now, or stopped or failed (the files cannot tell which). */
  state: 'done' | 'started' | 'pending';
  /** Input records processed: all of them when done, as of the last checkpoint when started. */
  records: number;
  seconds?: number;
}

/** The tasks of the sharded run in `dir`: finished, started, not started. */
export async function shardStatus(dir: string): Promise<{ worldSize: number; tasks: TaskStatus[] }> {
  const plan = await loadPlan(dir);
  const tasks: TaskStatus[] = [];
  for (let rank = 0; rank < plan.worldSize; rank++) {
    if (isDone(dir, rank)) {
      const done = await loadDone(dir, rank);
      tasks.push({ rank, state: 'done', records: done.accounting.total.read, seconds: done.seconds });
      continue;
    }
    const position = await checkpointPosition(join(taskDir(dir, rank), RUN_FILES.checkpoint));
    tasks.push(position === null ? { rank, state: 'pending', records: 0 } : { rank, state: 'started', records: position });
  }
  return { worldSize: plan.worldSize, tasks };
}

/** The input position of a task's checkpoint, or null without one (checkpoints are renamed into place whole). */
async function checkpointPosition(path: string): Promise<number | null> {
  const text = await readFile(path, 'utf8').catch(() => null);
  return text === null ? null : (JSON.parse(text) as { position: number }).position;
}
