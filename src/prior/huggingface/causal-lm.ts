import { DynamicCache, Tensor } from '@huggingface/transformers';
import type { CausalLM, Int64Matrix, PastKeyValues } from '../transformers/model.js';

/** What @huggingface/transformers' AutoModelForCausalLM gives: a forward step that returns the session's raw outputs. */
interface HuggingfaceModel {
  forward(inputs: Record<string, unknown>): Promise<Record<string, Tensor>>;
  dispose(): Promise<unknown>;
}

const tensor = (m: Int64Matrix) => new Tensor('int64', m.data, m.dims);

/**
 * A @huggingface/transformers model behind the library-neutral CausalLM (transformers/model.ts).
 * Its forward() runs the graph and fills in what the graph asks for beyond input_ids and
 * attention_mask: `position_ids` from the mask, `use_cache_branch`, an empty cache of the graph's
 * own shapes (num_key_value_heads, head_dim) on the first step. It returns the session's outputs as
 * named in the graph (`logits`, `present.N.key/value`); the next step wants those as
 * `past_key_values.N.key/value` in a DynamicCache, the renaming the library's own generate() does
 * (getPastKeyValues, not exported).
 */
export function huggingfaceCausalLM(model: unknown): CausalLM {
  const inner = model as HuggingfaceModel;
  return {
    forward: async ({ input_ids, attention_mask, past_key_values }) => {
      const out = await inner.forward({ input_ids: tensor(input_ids), attention_mask: tensor(attention_mask), past_key_values: past_key_values ?? null });
      const present: Record<string, Tensor> = {};
      for (const [name, value] of Object.entries(out)) {
        if (name.startsWith('present')) present[name.replace('present', 'past_key_values')] = value;
      }
      return { logits: out.logits, past_key_values: new DynamicCache(present) as PastKeyValues };
    },
    dispose: () => inner.dispose(),
  };
}
