import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { readCorpus } from '../../corpus/read.js';
import { TailguardError } from '../../errors.js';
import type { PriorModel, TokenScores } from '../../prior/types.js';
import { checkpointPath, hasCheckpoint, loadCheckpoint, saveCheckpoint } from '../checkpoint.js';
import type { PipelineConfig } from '../config.js';
import { batches, orderedMap } from '../ordered-map.js';
import { processBatch } from '../process-batch.js';
import { writeJsonAtomic } from '../run-folder.js';
import { type OutputsState, RunOutputs } from '../run-outputs.js';
import { interrupted, skip } from '../run.js';
import { startHeartbeat } from './heartbeat.js';
import type { ShardPlan } from './plan.js';
import { taskDir } from './plan.js';

/** A finished task's completion marker: its counts, mergeable statistics and samples, and the lengths of its parts. */
export interface TaskDone extends OutputsState {
  version: 1;
  rank: number;
  seconds: number;
}

export const DONE = 'done.json';

/** Whether task `rank` of the run in `dir` has finished. */
export function isDone(dir: string, rank: number): boolean {
  return existsSync(join(taskDir(dir, rank), DONE));
}

export async function loadDone(dir: string, rank: number): Promise<TaskDone> {
  return JSON.parse(await readFile(join(taskDir(dir, rank), DONE), 'utf8'));
}

/**
 * Thrown by a task's `guard` when this process may no longer write the task's folder: another
 * process may own the task by now (a BullMQ job whose lock was lost, see bullmq-lease.ts). The
 * task stops where it is and writes nothing more, not even a checkpoint or a heartbeat.
 */
export class TaskNotOwned extends TailguardError {
  constructor(message: string) {
    super('interrupted', message);
    this.name = 'TaskNotOwned';
  }
}

/**
 * Parts are plain JSONL whatever the run's output format: the merge reads them back in order and
 * writes the run's files in its format, as a single-machine run would.
 */
function partConfig(config: PipelineConfig): PipelineConfig {
  return { ...config, output: { ...config.output, format: 'jsonl', shardRecords: undefined } };
}

/**
 * Run task `rank` of a planned run: process its pieces of the corpus into its own folder (output
 * parts, edit log, rejects, checkpoints as it goes), then write `done.json` atomically, which
 * marks it complete. A finished task is skipped; a half-done one resumes from its checkpoint
 * and ends with the files it would have written in one go.
 */
export interface TaskOptions {
  prior: PriorModel;
  signal?: AbortSignal;
  /** Scores of this task's documents from its calibration pass (used once each, then freed). */
  scores?: Map<string, TokenScores>;
  /** Called after each batch with the records and prior tokens it processed. */
  progress?: (records: number, tokens: number) => void;
  /**
   * Called before anything is written to the task's folder (each batch's records, each
   * checkpoint, the completion); throws `TaskNotOwned` when the task is no longer this process's.
   */
  guard?: () => Promise<void>;
}

export async function runTask(plan: ShardPlan, dir: string, rank: number, o: TaskOptions): Promise<{ skipped: boolean; done: TaskDone }> {
  if (!Number.isInteger(rank) || rank < 0 || rank >= plan.worldSize) throw new TailguardError('config', `--rank must be an integer from 0 to ${plan.worldSize - 1} (the world size is ${plan.worldSize}), got ${rank}`);
  if (isDone(dir, rank)) return { skipped: true, done: await loadDone(dir, rank) };
  const started = Date.now();
  const tdir = taskDir(dir, rank);
  // Resuming cuts the parts back to the checkpoint: only the task's owner may.
  await o.guard?.();
  await mkdir(tdir, { recursive: true });
  const config = partConfig(plan.config);
  const checkpoint = hasCheckpoint(tdir) ? await loadCheckpoint(tdir, plan.settings, plan.input) : null;
  const outputs = new RunOutputs(tdir, config, checkpoint);
  let position = checkpoint?.position ?? 0;
  let sequence = checkpoint?.sequence ?? 0;
  let lastSave = Date.now();
  let sinceSave = 0;
  /** Go on only while the task is ours; otherwise drop what is buffered and leave the files to their owner. */
  const guarded = async () => {
    try {
      await o.guard?.();
    } catch (e) {
      if (e instanceof TaskNotOwned) {
        outputs.abandon();
        heartbeat.abandon();
      }
      throw e;
    }
  };
  const save = async () => {
    await guarded();
    await saveCheckpoint(tdir, { version: 1, sequence: ++sequence, settings: plan.settings, input: plan.input, position, threshold: plan.threshold, calibration: plan.calibration, ...(await outputs.state()) });
    lastSave = Date.now();
    sinceSave = 0;
  };
  const cache = o.scores ?? new Map<string, TokenScores>();
  const work = (batch: Parameters<typeof processBatch>[0]) => processBatch(batch, o.prior, config, plan.seed, plan.threshold, cache);
  const every = config.checkpoint;
  const heartbeat = startHeartbeat(tdir);
  try {
    const items = skip(readCorpus(config.input, plan.tasks[rank]), position);
    for await (const results of orderedMap(batches(items, config.batchSize), work, config.concurrency)) {
      await guarded();
      for (const r of results) {
        await outputs.add(r);
        position++;
      }
      sinceSave += results.length;
      o.progress?.(results.length, results.reduce((n, r) => n + ('processed' in r ? r.processed.counts.tokens : 0), 0));
      if (o.signal?.aborted) throw interrupted(o.signal);
      if ((every.everyDocuments !== null && sinceSave >= every.everyDocuments) || Date.now() - lastSave >= every.everySeconds * 1000) await save();
      // Let timers run between batches: scoring can hold the event loop for a whole batch, and a
      // BullMQ job lock is renewed by a timer (held too long, the job is given to another worker).
      await nextTurn();
    }
  } catch (e) {
    // Not ours any more: `guarded` has dropped the buffers; the files are the new owner's.
    if (e instanceof TaskNotOwned) throw e;
    if (e instanceof TailguardError && e.code === 'interrupted') {
      await save();
      await outputs.end();
      await heartbeat.ended();
      throw new TailguardError('interrupted', `${e.message} in task ${rank} after ${position} records; relaunch it to resume from its checkpoint`, { cause: e });
    }
    // Ending flushes and aborting removes the files: either only by their owner.
    await guarded();
    if (sequence > 0) await outputs.end();
    else await outputs.abort();
    await heartbeat.failed(e);
    throw e;
  }
  outputs.check();
  await guarded();
  const done: TaskDone = { version: 1, rank, seconds: (Date.now() - started) / 1000, ...(await outputs.state()) };
  await outputs.close(true);
  await guarded();
  // done.json is the completion marker: written whole or not at all, after the parts are complete.
  await writeJsonAtomic(join(tdir, DONE), done, true);
  await rm(checkpointPath(tdir), { force: true });
  await heartbeat.ended();
  return { skipped: false, done };
}
