import { setImmediate as nextTurn } from 'node:timers/promises';
import { batches } from '../corpus/batches.js';
import type { ReadItem } from '../corpus/document.js';
import type { Calibration } from '../edit/threshold.js';
import { TailguardError } from '../errors.js';
import { faultPoint } from '../run-io/fault-point.js';
import { type Checkpoint, type InputIdentity, saveCheckpoint } from './checkpoint.js';
import type { PipelineConfig } from './config.js';
import { orderedMap } from './ordered-map.js';
import type { RunContext } from './run-context.js';
import type { RunOutputs } from './run-outputs.js';
import { processBatch, stepsFor } from './steps.js';

/** What a checkpoint of this run always says: the settings, the input and the threshold. */
export interface CheckpointBasis {
  settings: unknown;
  input: InputIdentity | null;
  threshold: number;
  calibration: Calibration | null;
}

/**
 * Where a run (or a task) stands and when to save it: the position in the input, the checkpoint
 * sequence, and the pipeline's cadence (every N seconds or documents, whichever comes first).
 */
export class Checkpointer {
  position: number;
  sequence: number;
  private sinceSave = 0;
  private lastSave = Date.now();

  constructor(
    private readonly dir: string,
    private readonly basis: CheckpointBasis,
    private readonly outputs: RunOutputs,
    private readonly every: PipelineConfig['checkpoint'],
    from: Checkpoint | null,
    /** Called before anything is written, checkpoints and the loop's records alike (a task checks it still owns its folder). */
    readonly guard: () => Promise<void> = async () => {},
  ) {
    this.position = from?.position ?? 0;
    this.sequence = from?.sequence ?? 0;
  }

  advance(records: number): void {
    this.position += records;
    this.sinceSave += records;
  }

  due(): boolean {
    return (this.every.everyDocuments !== null && this.sinceSave >= this.every.everyDocuments) || Date.now() - this.lastSave >= this.every.everySeconds * 1000;
  }

  async save(): Promise<void> {
    await this.guard();
    await saveCheckpoint(this.dir, { version: 1, sequence: ++this.sequence, ...this.basis, position: this.position, ...(await this.outputs.state()) });
    this.sinceSave = 0;
    this.lastSave = Date.now();
    await faultPoint(`checkpoint:${this.sequence}`);
  }

  /** Save unless the last checkpoint is at this position already. */
  async saveIfMoved(): Promise<void> {
    if (this.sinceSave > 0 || this.sequence === 0) await this.save();
  }
}

export interface LoopHooks {
  signal?: AbortSignal;
  /** After each batch, with the records and prior tokens it processed. */
  progress?: (records: number, tokens: number) => void;
  /**
   * Let timers run between batches: scoring can hold the event loop for a whole batch, and a
   * BullMQ job lock is renewed by a timer (held too long, the job goes to another worker).
   */
  yieldBetweenBatches?: boolean;
}

/**
 * The checkpointed batch loop of a run and of each task of a sharded run: read items in batches,
 * run the pipeline's steps on up to `concurrency` batches at once, write the results in input
 * order, save checkpoints at the pipeline's cadence, and stop with an `interrupted` error after
 * the batch under way when the signal is aborted.
 */
export async function runBatches(items: AsyncIterable<ReadItem>, ctx: RunContext, outputs: RunOutputs, checkpointer: Checkpointer, hooks: LoopHooks): Promise<void> {
  const steps = stepsFor(ctx.config);
  const work = (batch: ReadItem[]) => processBatch(batch, ctx, steps);
  for await (const results of orderedMap(batches(items, ctx.config.batchSize), work, ctx.config.concurrency)) {
    await checkpointer.guard();
    for (const r of results) {
      await outputs.add(r);
      checkpointer.advance(1);
    }
    hooks.progress?.(results.length, results.reduce((n, r) => n + ('processed' in r ? r.processed.counts.tokens : 0), 0));
    if (hooks.signal?.aborted) throw interrupted(hooks.signal);
    if (checkpointer.due()) await checkpointer.save();
    if (hooks.yieldBetweenBatches) await nextTurn();
  }
}

/**
 * Leave the files of a loop that stopped: an interruption saves a checkpoint and ends the files
 * (what --resume continues); any other error ends them when a checkpoint exists, otherwise removes
 * them (without a checkpoint they are useless).
 */
export async function closeAfterStop(e: unknown, outputs: RunOutputs, checkpointer: Checkpointer): Promise<void> {
  if (isInterruption(e)) await checkpointer.save();
  if (isInterruption(e) || checkpointer.sequence > 0) await outputs.end();
  else await outputs.abort();
}

export function isInterruption(e: unknown): e is TailguardError {
  return e instanceof TailguardError && e.code === 'interrupted';
}

export function interrupted(signal: AbortSignal, when = ''): TailguardError {
  return new TailguardError('interrupted', `interrupted by ${typeof signal.reason === 'string' ? signal.reason : 'an abort'}${when && ` ${when}`}`);
}

/** Leave out the first `n` items: those a resumed run has written already. */
export async function* skip<T>(items: AsyncIterable<T>, n: number): AsyncGenerator<T> {
  let i = 0;
  for await (const item of items) if (i++ >= n) yield item;
}
