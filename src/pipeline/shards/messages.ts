import type { CorpusPiece } from '../../corpus/units.js';
import type { ErrorCode } from '../../errors.js';
import type { PriorIdentity } from '../../prior/types.js';
import type { PipelineConfig } from '../config.js';

/** What the local executor asks of a worker process: one request at a time, after `open`. */
export type WorkerRequest =
  | { kind: 'open'; config: PipelineConfig }
  | { kind: 'calibrate'; rank: number; pieces: CorpusPiece[]; changesEverywhere: boolean }
  | { kind: 'task'; rank: number };

/** What a worker process answers; `progress` comes during a task, the others end a request. */
export type WorkerReply =
  | { kind: 'ready'; identity: PriorIdentity }
  | { kind: 'calibrated'; rank: number; probs: Float64Array; changes?: Float64Array; records: number }
  | { kind: 'progress'; rank: number; records: number; tokens: number }
  | { kind: 'done'; rank: number; skipped: boolean; seconds: number; read: number }
  | { kind: 'error'; rank?: number; error: { code: ErrorCode; message: string } };
