import { Tensor } from '@xenova/transformers';
import type { CausalLM, Int64Matrix, PastKeyValues } from './model.js';

/** What @xenova/transformers' AutoModelForCausalLM gives: a forward step over its own Tensors. */
interface XenovaCausalLM {
  forward(inputs: { input_ids: Tensor; attention_mask: Tensor; past_key_values?: Record<string, Tensor> | null }): Promise<{
    logits: Tensor;
    past_key_values: Record<string, Tensor>;
  }>;
  dispose(): Promise<unknown>;
}

const tensor = (m: Int64Matrix) => new Tensor('int64', m.data, m.dims);

/**
 * A transformers.js v2 model behind the library-neutral CausalLM (model.ts): inputs become its
 * Tensors (no copy: the Tensor keeps the same BigInt64Array), outputs pass through, since they
 * already have the `data` and `dims` that scoring reads, and the cache is its own Record.
 */
export function xenovaCausalLM(model: unknown): CausalLM {
  const inner = model as XenovaCausalLM;
  return {
    forward: async ({ input_ids, attention_mask, past_key_values }) =>
      inner.forward({
        input_ids: tensor(input_ids),
        attention_mask: tensor(attention_mask),
        past_key_values: (past_key_values ?? null) as Record<string, Tensor> | null,
      }) as Promise<{ logits: Tensor; past_key_values: PastKeyValues }>,
    dispose: () => inner.dispose(),
  };
}
