import { Tensor } from '@xenova/transformers';

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

/**
 * Output rows of a forward pass: `data` holds [batch, steps, vocab] log-probabilities (the graph
 * applies log_softmax), read in place.
 */
export interface LogProbRows {
  data: Float32Array;
  steps: number;
  vocab: number;
}

export function logProbRows(logits: Tensor): LogProbRows {
  const dims = logits.dims as number[];
  return { data: logits.data as Float32Array, steps: dims[1], vocab: dims[2] };
}
