import { Tensor } from '@xenova/transformers';
import { logSoftmaxRows } from './readout.js';

/** The slice of a transformers.js v2 causal LM used here: one forward step over a key/value cache. */
export interface CausalLM {
  forward(inputs: {
    input_ids: Tensor;
    attention_mask: Tensor;
    past_key_values?: Record<string, Tensor> | null;
  }): Promise<{ logits: Tensor; past_key_values: Record<string, Tensor> }>;
  dispose(): Promise<unknown>;
}

/** A [rows, cols] int64 tensor, the type the ONNX graph's input_ids and attention_mask take. */
export function int64Tensor(data: BigInt64Array, rows: number, cols: number): Tensor {
  return new Tensor('int64', data, [rows, cols]);
}

/** Output rows of a forward pass: `data` holds [batch, steps, vocab] log-probabilities, read in place. */
export interface LogProbRows {
  data: Float32Array;
  steps: number;
  vocab: number;
}

/**
 * The rows of a forward pass's `logits` output as log-probabilities. `normalize` is false for
 * graphs that already end in log_softmax (config.json `output_is_log_softmax: true`, as
 * tools/model/export.py writes it); otherwise the rows are normalized in place.
 */
export function logProbRows(logits: Tensor, normalize: boolean): LogProbRows {
  const dims = logits.dims as number[];
  const data = logits.data as Float32Array;
  if (normalize) logSoftmaxRows(data, dims[2]);
  return { data, steps: dims[1], vocab: dims[2] };
}
