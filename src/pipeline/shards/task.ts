import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readCorpus } from '../../corpus/read.js';
import { TailguardError } from '../../errors.js';
import type { PriorModel, TokenScores } from '../../prior/types.js';
import { Checkpointer, closeAfterStop, isInterruption, runBatches, skip } from '../batch-loop.js';
import { checkpointPath, hasCheckpoint, loadCheckpoint } from '../checkpoint.js';
import type { PipelineConfig } from '../config.js';
import { readLockedSpans } from '../../edit/provenance.js';
import type { RunContext } from '../run-context.js';
import { writeJsonAtomic } from '../../run-io/run-folder.js';
import { type OutputsState, RunOutputs } from '../run-outputs.js';
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
  const basis = { settings: plan.settings, input: plan.input, threshold: plan.threshold, calibration: plan.calibration };
  const checkpointer = new Checkpointer(tdir, basis, outputs, config.checkpoint, checkpoint, guarded);
  const locks = config.edit.enabled && config.edit.lockedFrom ? await readLockedSpans(config.edit.lockedFrom) : undefined;
  const ctx: RunContext = { config, prior: o.prior, seed: plan.seed, threshold: plan.threshold, scoreCache: o.scores ?? new Map<string, TokenScores>(), locks };
  const heartbeat = startHeartbeat(tdir);
  try {
    const items = skip(readCorpus(config.input, plan.tasks[rank]), checkpointer.position);
    await runBatches(items, ctx, outputs, checkpointer, { signal: o.signal, progress: o.progress, yieldBetweenBatches: true });
  } catch (e) {
    // Not ours any more: `guarded` has dropped the buffers; the files are the new owner's.
    if (e instanceof TaskNotOwned) throw e;
    // Ending flushes and aborting removes the files: either only by their owner (a checkpoint's save checks too).
    if (!isInterruption(e)) await guarded();
    await closeAfterStop(e, outputs, checkpointer);
    if (!isInterruption(e)) {
      await heartbeat.failed(e);
      throw e;
    }
    await heartbeat.ended();
    throw new TailguardError('interrupted', `${e.message} in task ${rank} after ${checkpointer.position} records; relaunch it to resume from its checkpoint`, { cause: e });
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
