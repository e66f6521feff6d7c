import { DynamicCache, Tensor } from '@huggingface/transformers';
import type { CausalLM, Int64Matrix, PastKeyValues } from '../transformers/model.js';

interface InputMetadata {
  name: string;
  type: string;
  shape: ReadonlyArray<number | string>;
}

/** What @huggingface/transformers' AutoModelForCausalLM gives: a forward step that returns the session's raw outputs. */
interface HuggingfaceModel {
  config: Record<string, unknown>;
  sessions: Record<string, { inputMetadata: InputMetadata[] }>;
  forward(inputs: Record<string, unknown>): Promise<Record<string, Tensor>>;
  dispose(): Promise<unknown>;
}

const tensor = (m: Int64Matrix) => new Tensor('int64', m.data, m.dims);

/**
 * The empty cache of a first step: every `past_key_values.*` input of the graph with `rows` rows and
 * no past positions. The library would make it too, but it sizes the batch dimension only when the
 * graph names it `batch_size` (Optimum's name); the shipped model's export names it `past_batch`,
 * and an unknown name becomes 0 ("invalid expand shape"). Here the first dimension is the batch and
 * the third the past length, whatever their names; heads and head size are the graph's numbers
 * (or, if symbolic, the config's).
 */
function emptyCache(session: { inputMetadata: InputMetadata[] }, c: Record<string, unknown>, rows: number): Record<string, Tensor> {
  const heads = Number(c.num_key_value_heads ?? c.num_attention_heads ?? c.n_head);
  const headSize = Number(c.head_dim ?? Number(c.hidden_size ?? c.n_embd) / Number(c.num_attention_heads ?? c.n_head));
  const byAxis = [rows, heads, 0, headSize];
  const cache: Record<string, Tensor> = {};
  for (const input of session.inputMetadata) {
    if (!input.name.startsWith('past_key_values.')) continue;
    const dims = input.shape.map((d, axis) => (typeof d === 'number' ? d : byAxis[axis] ?? 0));
    cache[input.name] = new Tensor(input.type as 'float32', new Float32Array(0), dims);
  }
  return cache;
}

/**
 * A @huggingface/transformers model behind the library-neutral CausalLM (transformers/model.ts).
 * The library's forward() fills in what the graph asks for beyond input_ids and attention_mask:
 * `position_ids` from the mask and `use_cache_branch`. It returns the session's outputs as named in
 * the graph (`logits`, `present.N.key/value`); the next step wants those as
 * `past_key_values.N.key/value`, the renaming the library's own generate() does (getPastKeyValues,
 * not exported).
 */
export function huggingfaceCausalLM(model: unknown): CausalLM {
  const inner = model as HuggingfaceModel;
  const session = inner.sessions.decoder_model_merged ?? inner.sessions.model;
  // A merged graph switches branches on use_cache_branch, which the library sets from whether the
  // cache it gets is empty: there the library must make the empty cache itself (Optimum, which
  // writes such graphs, names the batch axis batch_size). Other graphs get ours.
  const ownEmptyCache = !session.inputMetadata.some((input) => input.name === 'use_cache_branch');
  return {
    forward: async ({ input_ids, attention_mask, past_key_values }) => {
      const past = past_key_values ?? (ownEmptyCache ? new DynamicCache(emptyCache(session, inner.config, input_ids.dims[0])) : null);
      const out = await inner.forward({ input_ids: tensor(input_ids), attention_mask: tensor(attention_mask), past_key_values: past });
      const present: Record<string, Tensor> = {};
      for (const [name, value] of Object.entries(out)) {
        if (name.startsWith('present')) present[name.replace('present', 'past_key_values')] = value;
      }
      return { logits: out.logits, past_key_values: new DynamicCache(present) as PastKeyValues };
    },
    dispose: () => inner.dispose(),
  };
}
