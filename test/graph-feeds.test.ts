import test from 'ava';
import { TailguardError } from '../src/index.js';
import { graphInputs, pastNameOf, positionIds } from '../src/prior/transformers/feeds.js';

const LLAMA_INPUTS = ['input_ids', 'attention_mask', 'position_ids', 'past_key_values.0.key', 'past_key_values.0.value', 'past_key_values.1.key', 'past_key_values.1.value'];

test('position ids count each row\'s real tokens, so left, right and no padding number them alike', (t) => {
  const mask = BigInt64Array.from([0, 0, 1, 1, 1, /* */ 1, 1, 1, 0, 0, /* */ 1, 1, 1, 1, 1].map(BigInt));
  t.deepEqual(Array.from(positionIds(mask, 3, 5, 5), Number), [1, 1, 0, 1, 2, /* */ 0, 1, 2, 1, 1, /* */ 0, 1, 2, 3, 4]);
  // A cached step feeds only the newest column: its position is the row's count of earlier real tokens.
  t.deepEqual(Array.from(positionIds(mask, 3, 5, 1), Number), [2, 1, 4]);
});

test('the cache layout comes from the config: grouped-query heads, an explicit head_dim, GPT-2 names', (t) => {
  const llama = { num_hidden_layers: 2, num_attention_heads: 8, num_key_value_heads: 2, hidden_size: 256 };
  t.deepEqual(graphInputs(LLAMA_INPUTS, llama, 'm'), { layers: 2, kvHeads: 2, headDim: 32, positionIds: true, useCacheBranch: false });
  t.is(graphInputs(LLAMA_INPUTS, { ...llama, head_dim: 64 }, 'm').headDim, 64);
  const gpt2 = ['input_ids', 'attention_mask', 'use_cache_branch', 'past_key_values.0.key', 'past_key_values.0.value'];
  t.deepEqual(graphInputs(gpt2, { n_layer: 1, n_head: 4, n_embd: 128 }, 'm'), { layers: 1, kvHeads: 4, headDim: 32, positionIds: false, useCacheBranch: true });
  t.is(pastNameOf('present.3.value'), 'past_key_values.3.value');
  t.is(pastNameOf('logits'), null);
});

test('a config that does not describe the graph is refused by name before onnxruntime runs it', (t) => {
  const wrongLayers = t.throws(() => graphInputs(LLAMA_INPUTS, { num_hidden_layers: 3, num_attention_heads: 8, hidden_size: 256 }, 'x/onnx/model.onnx'), { instanceOf: TailguardError });
  t.is((wrongLayers as TailguardError).code, 'model');
  t.regex(wrongLayers!.message, /"x\/onnx\/model\.onnx" has past_key_values for 2 layers but config\.json says 3/);
  t.throws(() => graphInputs(LLAMA_INPUTS, { num_hidden_layers: 2 }, 'm'), { message: /must give the layers, heads and width/ });
  t.throws(() => graphInputs(['pixel_values'], {}, 'm'), { message: /has no "input_ids" input .*not a Hugging Face causal-LM export/ });
});
