import { Tensor } from '@xenova/transformers';
import { graphInputs, pastNameOf, pastNames, positionIds, type GraphInputs } from './feeds.js';
import { logSoftmaxRows } from './readout.js';

/** The slice of a causal LM used here: one forward step over a key/value cache. */
export interface CausalLM {
  forward(inputs: {
    input_ids: Tensor;
    attention_mask: Tensor;
    past_key_values?: Record<string, Tensor> | null;
  }): Promise<{ logits: Tensor; past_key_values: Record<string, Tensor> }>;
  dispose(): Promise<unknown>;
}

/** What transformers.js v2 hands back from AutoModelForCausalLM: its onnxruntime session and dispose. */
export interface XenovaCausalLM {
  session: { inputNames: string[]; outputNames: string[]; run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> };
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
    private readonly model: XenovaCausalLM,
    config: Record<string, unknown>,
    file: string,
  ) {
    this.inputs = graphInputs(model.session.inputNames, config, file);
  }

  async forward(step: Parameters<CausalLM['forward']>[0]): ReturnType<CausalLM['forward']> {
    const { layers, kvHeads, headDim, positionIds: wantsPositions, useCacheBranch } = this.inputs;
    const [rows, steps] = step.input_ids.dims as number[];
    const feeds: Record<string, Tensor> = { input_ids: step.input_ids, attention_mask: step.attention_mask };
    const cached = step.past_key_values ?? null;
    if (useCacheBranch) feeds.use_cache_branch = new Tensor('bool', [cached !== null], [1]);
    if (wantsPositions) {
      const width = (step.attention_mask.dims as number[])[1];
      feeds.position_ids = int64Tensor(positionIds(step.attention_mask.data as BigInt64Array, rows, width, steps), rows, steps);
    }
    for (const name of pastNames(layers)) {
      feeds[name] = cached?.[name] ?? new Tensor('float32', new Float32Array(0), [rows, kvHeads, 0, headDim]);
    }
    const out = await this.model.session.run(feeds);
    const past: Record<string, Tensor> = {};
    for (const [name, tensor] of Object.entries(out)) {
      const input = pastNameOf(name);
      if (input) past[input] = tensor;
    }
    return { logits: out.logits, past_key_values: past };
  }

  dispose(): Promise<unknown> {
    return this.model.dispose();
  }
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
 * tools/model/export.py writes it); otherwise (every Hugging Face export: raw logits) the rows are
 * normalized in place.
 */
export function logProbRows(logits: Tensor, normalize: boolean): LogProbRows {
  const dims = logits.dims as number[];
  const data = logits.data as Float32Array;
  if (normalize) logSoftmaxRows(data, dims[2]);
  return { data, steps: dims[1], vocab: dims[2] };
}
