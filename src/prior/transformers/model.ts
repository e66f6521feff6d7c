import { graphInputs, pastNameOf, pastNames, positionIds, type GraphInputs } from './feeds.js';
import { logSoftmaxRows } from './readout.js';

/**
 * The inputs and outputs of a forward pass, as plain data that neither ONNX library owns: scoring,
 * decoding and the probe build and read these, so they are the same whichever backend opened the
 * graph (@xenova/transformers with onnxruntime-node 1.14, or @huggingface/transformers with 1.30,
 * src/prior/huggingface/). Only SessionCausalLM turns them into the session's own Tensors.
 */
export interface Int64Matrix {
  type: 'int64';
  data: BigInt64Array;
  dims: [number, number];
}

/** The `logits` output: [batch, steps, vocab] floats (either onnxruntime's Tensor has these fields). */
export interface LogitsTensor {
  data: unknown;
  dims: readonly number[];
}

/** The key/value cache of a forward pass (`past_key_values.N.key/value`), handed back unchanged to the next step. */
export type PastKeyValues = Record<string, unknown>;

/** The slice of a causal LM used here: one forward step over a key/value cache. */
export interface CausalLM {
  forward(inputs: {
    input_ids: Int64Matrix;
    attention_mask: Int64Matrix;
    past_key_values?: PastKeyValues | null;
  }): Promise<{ logits: LogitsTensor; past_key_values: PastKeyValues }>;
  /**
   * A cache made of the first `columns` positions of rows of `past`: output row r is input row
   * `rowOwner[r]` (rows may repeat). Built with the runtime's own Tensor class, which its session
   * requires (lookahead.ts feeds every candidate against its position's shared history).
   */
  historyRows(past: PastKeyValues, rowOwner: readonly number[], columns: number): PastKeyValues;
  dispose(): Promise<unknown>;
}

/** A Tensor of the onnxruntime that opened the graph (its session.run takes only its own class). */
export type TensorFactory = (type: 'int64' | 'bool' | 'float32', data: BigInt64Array | boolean[] | Float32Array, dims: number[]) => unknown;

/**
 * An onnxruntime session as a backend opened it: @xenova/transformers' AutoModelForCausalLM (its
 * `session`) or @huggingface/transformers' (its `sessions.model`), with that runtime's Tensor.
 */
export interface OpenedGraph {
  session: { inputNames: readonly string[]; run(feeds: Record<string, unknown>): Promise<Record<string, LogitsTensor>> };
  tensor: TensorFactory;
  /** generation_config.json as the library read it, or null. */
  generationConfig: Record<string, unknown> | null;
  dispose(): Promise<unknown>;
}

/**
 * A forward step fed by this module rather than by transformers.js v2's own `forward`, which
 * feeds an empty cache of batch 1 whatever the batch, takes the cache heads from the config
 * without `head_dim`, and logs every input tensor to the console when a run fails. Here every
 * input the graph declares is fed for the real batch: position ids from the mask (feeds.ts), the
 * `use_cache_branch` flag of merged decoders, an empty [batch, kv heads, 0, head_dim] cache.
 */
export class SessionCausalLM implements CausalLM {
  readonly inputs: GraphInputs;

  constructor(
    private readonly model: OpenedGraph,
    config: Record<string, unknown>,
    file: string,
  ) {
    this.inputs = graphInputs(model.session.inputNames, config, file);
  }

  async forward(step: Parameters<CausalLM['forward']>[0]): ReturnType<CausalLM['forward']> {
    const { layers, kvHeads, headDim, positionIds: wantsPositions, useCacheBranch } = this.inputs;
    const { tensor } = this.model;
    const [rows, steps] = step.input_ids.dims;
    const width = step.attention_mask.dims[1];
    const feeds: Record<string, unknown> = {
      input_ids: tensor('int64', step.input_ids.data, [rows, steps]),
      attention_mask: tensor('int64', step.attention_mask.data, [rows, width]),
    };
    const cached = step.past_key_values ?? null;
    if (useCacheBranch) feeds.use_cache_branch = tensor('bool', [cached !== null], [1]);
    if (wantsPositions) feeds.position_ids = tensor('int64', positionIds(step.attention_mask.data, rows, width, steps), [rows, steps]);
    for (const name of pastNames(layers)) {
      feeds[name] = cached?.[name] ?? tensor('float32', new Float32Array(0), [rows, kvHeads, 0, headDim]);
    }
    const out = await this.model.session.run(feeds);
    const past: PastKeyValues = {};
    for (const [name, tensor] of Object.entries(out)) {
      const input = pastNameOf(name);
      if (input) past[input] = tensor;
    }
    return { logits: out.logits, past_key_values: past };
  }

  historyRows(past: PastKeyValues, rowOwner: readonly number[], columns: number): PastKeyValues {
    const out: PastKeyValues = {};
    for (const [name, value] of Object.entries(past)) {
      const t = value as LogitsTensor;
      const [, heads, width, size] = t.dims;
      const src = t.data as Float32Array;
      const data = new Float32Array(rowOwner.length * heads * columns * size);
      rowOwner.forEach((q, row) => {
        for (let h = 0; h < heads; h++) {
          const from = (q * heads + h) * width * size;
          data.set(src.subarray(from, from + columns * size), (row * heads + h) * columns * size);
        }
      });
      out[name] = this.model.tensor('float32', data, [rowOwner.length, heads, columns, size]);
    }
    return out;
  }

  dispose(): Promise<unknown> {
    return this.model.dispose();
  }
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
 * tools/model/export.py writes it); otherwise (every Hugging Face export: raw logits) the rows are
 * normalized in place.
 */
export function logProbRows(logits: LogitsTensor, normalize: boolean): LogProbRows {
  const dims = logits.dims;
  const data = logits.data as Float32Array;
  if (normalize) logSoftmaxRows(data, dims[2]);
  return { data, steps: dims[1], vocab: dims[2] };
}
