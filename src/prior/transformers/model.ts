import { logSoftmaxRows } from './readout.js';

/**
 * The inputs and outputs of a forward pass, as plain data that neither ONNX library owns. Scoring,
 * decoding and the probe build and read these; each backend (src/prior/transformers/xenova-model.ts
 * for @xenova/transformers, src/prior/huggingface/ for @huggingface/transformers) converts them to
 * and from its own Tensor class, so the code above it is the same whichever library runs the graph.
 */
export interface Int64Matrix {
  type: 'int64';
  data: BigInt64Array;
  dims: [number, number];
}

/** The `logits` output: [batch, steps, vocab] floats (anything with these two fields, e.g. either library's Tensor). */
export interface LogitsTensor {
  data: unknown;
  dims: readonly number[];
}

/** The key/value cache of a forward pass, handed back unchanged to the next step; only its backend reads it. */
export type PastKeyValues = object;

/** The slice of a causal LM used here: one forward step over a key/value cache. */
export interface CausalLM {
  forward(inputs: {
    input_ids: Int64Matrix;
    attention_mask: Int64Matrix;
    past_key_values?: PastKeyValues | null;
  }): Promise<{ logits: LogitsTensor; past_key_values: PastKeyValues }>;
  dispose(): Promise<unknown>;
}

/** A [rows, cols] int64 matrix, the type the ONNX graph's input_ids and attention_mask take. */
export function int64Tensor(data: BigInt64Array, rows: number, cols: number): Int64Matrix {
  return { type: 'int64', data, dims: [rows, cols] };
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
export function logProbRows(logits: LogitsTensor, normalize: boolean): LogProbRows {
  const dims = logits.dims;
  const data = logits.data as Float32Array;
  if (normalize) logSoftmaxRows(data, dims[2]);
  return { data, steps: dims[1], vocab: dims[2] };
}
