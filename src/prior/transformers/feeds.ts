/**
 * How a Hugging Face ONNX export of a decoder-only LM wants its inputs, independent of the library
 * that runs it. Optimum names them `input_ids`, `attention_mask`, optionally `position_ids` (Llama,
 * Qwen2, Mistral, newer GPT-2 exports) and `use_cache_branch` (merged decoders), and
 * `past_key_values.N.key/value` of shape [batch, num_key_value_heads, past, head_dim], returned as
 * `present.N.key/value`. Library-neutral so every backend feeds graphs the same way.
 */
import { TailguardError } from '../../errors.js';

/** What the graph takes, read from its input names and the model's config.json. */
export interface GraphInputs {
  layers: number;
  /** Heads of the key/value cache: num_key_value_heads (grouped-query attention) or all heads. */
  kvHeads: number;
  headDim: number;
  positionIds: boolean;
  useCacheBranch: boolean;
}

const PAST = /^past_key_values\.(\d+)\.(key|value)$/;

function positiveInt(config: Record<string, unknown>, keys: string[]): number | undefined {
  for (const key of keys) {
    const v = config[key];
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  }
  return undefined;
}

/**
 * The graph's cache layout. The config names differ per family (GPT-2: n_layer, n_head, n_embd;
 * Llama/Qwen2: num_hidden_layers, num_attention_heads, num_key_value_heads, hidden_size, and
 * sometimes an explicit head_dim that is not hidden_size / heads); the number of layers is checked
 * against the graph's own past inputs, so a config that does not describe the graph fails here, by
 * name, instead of inside onnxruntime with a shape error.
 */
export function graphInputs(inputNames: readonly string[], config: Record<string, unknown>, file: string): GraphInputs {
  const pastLayers = new Set<number>();
  for (const name of inputNames) {
    const m = PAST.exec(name);
    if (m) pastLayers.add(Number(m[1]));
  }
  for (const needed of ['input_ids', 'attention_mask']) {
    if (!inputNames.includes(needed)) {
      throw new TailguardError('model', `"${file}" has no "${needed}" input (it has ${inputNames.join(', ')}): not a Hugging Face causal-LM export`, { file });
    }
  }
  const heads = positiveInt(config, ['num_attention_heads', 'n_head']);
  const width = positiveInt(config, ['hidden_size', 'n_embd']);
  const layers = positiveInt(config, ['num_hidden_layers', 'n_layer']);
  const kvHeads = positiveInt(config, ['num_key_value_heads']) ?? heads;
  const headDim = positiveInt(config, ['head_dim']) ?? (heads && width ? width / heads : undefined);
  if (layers === undefined || kvHeads === undefined || headDim === undefined || !Number.isInteger(headDim)) {
    throw new TailguardError('model', `config.json of "${file}" must give the layers, heads and width (num_hidden_layers / n_layer, num_attention_heads / n_head, hidden_size / n_embd)`, { file });
  }
  if (pastLayers.size !== layers) {
    throw new TailguardError('model', `"${file}" has past_key_values for ${pastLayers.size} layers but config.json says ${layers}`, { file });
  }
  return { layers, kvHeads, headDim, positionIds: inputNames.includes('position_ids'), useCacheBranch: inputNames.includes('use_cache_branch') };
}

/**
 * Position ids of the last `steps` columns of a [rows, width] attention mask: each real token's
 * index among the row's real tokens (the cumulative mask - 1), so a row left-padded, right-padded
 * or fed alone gets the same positions. Padded columns get 1, as transformers' own generate does
 * (any valid index: they are masked out).
 */
export function positionIds(mask: BigInt64Array, rows: number, width: number, steps: number): BigInt64Array {
  const out = new BigInt64Array(rows * steps);
  for (let r = 0; r < rows; r++) {
    let seen = 0n;
    for (let j = 0; j < width; j++) {
      const on = mask[r * width + j] !== 0n;
      const k = j - (width - steps);
      if (k >= 0) out[r * steps + k] = on ? seen : 1n;
      if (on) seen++;
    }
  }
  return out;
}

/** The cache input fed by a graph output: `present.N.key` -> `past_key_values.N.key`. */
export function pastNameOf(outputName: string): string | null {
  return outputName.startsWith('present.') ? `past_key_values.${outputName.slice('present.'.length)}` : null;
}

/** The names of every cache input, in layer order. */
export function pastNames(layers: number): string[] {
  const names: string[] = [];
  for (let i = 0; i < layers; i++) names.push(`past_key_values.${i}.key`, `past_key_values.${i}.value`);
  return names;
}
