/**
 * Check a test model's ONNX graph against its PyTorch reference (reference.json), with bare
 * onnxruntime-node and nothing of Tailguard, so a failure here is the graph's, not the loader's:
 *  1. every reference text, one pass from an empty past: log-probabilities within 1e-3;
 *  2. the first text again, its first half in one pass, then one token at a time from the returned
 *     present.N.key/value (use_cache_branch true when the graph has it): within 1e-3;
 *  3. a batch of the first two texts, the shorter left-padded, position_ids counted from the mask as
 *     transformers.js does: the padded row within 1e-3 of its single pass. A graph without a
 *     position_ids input (legacy GPT-2) shifts a padded row's positions: the difference is printed, not failed.
 *  4. Tailguard's sanity probe (src/prior/transformers/probe.ts) on the bare graph: perplexity below
 *     uniform and the context helping, what every load of the model will demand.
 * Also prints the graph's input and output names. Exit 1 on a failure.
 *
 * Usage: npx tsx tools/model/families/check-onnx.mts <modelFolder>
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { AutoTokenizer, env } from '@xenova/transformers';
import ort from 'onnxruntime-node';
import type { CausalLM } from '../../../src/prior/transformers/model.js';
import { PROBE_TEXT, probeModel } from '../../../src/prior/transformers/probe.js';

const folder = process.argv[2];
if (!folder) throw new Error('usage: check-onnx.mts <modelFolder>');
const TOLERANCE = 1e-3;
const graph = ['onnx/model.onnx', 'onnx/decoder_model_merged.onnx'].map((f) => join(folder, f)).find(existsSync);
if (!graph) throw new Error(`${folder}: no onnx/model.onnx or onnx/decoder_model_merged.onnx`);
const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
const ref = JSON.parse(readFileSync(join(folder, 'reference.json'), 'utf8')) as {
  documentStartId: number; texts: Array<{ name: string; ids: number[]; logProbs: number[] }>;
};
const session = await ort.InferenceSession.create(graph);
console.log(`${graph}\n  inputs ${session.inputNames.join(', ')}\n  outputs ${session.outputNames.join(', ')}`);
const layers: number = config.n_layer ?? config.num_hidden_layers;
const kvHeads: number = config.n_head ?? config.num_key_value_heads;
const headDim: number = (config.n_embd ?? config.hidden_size) / (config.n_head ?? config.num_attention_heads);
const hasPositions = session.inputNames.includes('position_ids');
const hasBranch = session.inputNames.includes('use_cache_branch');

const int64 = (rows: number[][]) =>
  new ort.Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [rows.length, rows[0].length]);
type Past = Record<string, ort.Tensor>;
const emptyPast = (batch: number): Past => {
  const past: Past = {};
  for (let i = 0; i < layers; i++) for (const kind of ['key', 'value']) {
    past[`past_key_values.${i}.${kind}`] = new ort.Tensor('float32', new Float32Array(0), [batch, kvHeads, 0, headDim]);
  }
  return past;
};

/** One forward pass; returns per-row log_softmax of the last dimension and the presents as the next past. */
async function run(ids: number[][], mask: number[][], positions: number[][], past: Past, cached: boolean) {
  const feeds: Record<string, ort.Tensor> = { input_ids: int64(ids), attention_mask: int64(mask), ...past };
  if (hasPositions) feeds.position_ids = int64(positions);
  if (hasBranch) feeds.use_cache_branch = new ort.Tensor('bool', [cached], [1]);
  const out = await session.run(feeds);
  const logits = out.logits;
  const [b, t, v] = logits.dims as number[];
  const data = logits.data as Float32Array;
  const rows: Float64Array[][] = [];
  for (let r = 0; r < b; r++) {
    rows.push([]);
    for (let i = 0; i < t; i++) {
      const row = data.subarray((r * t + i) * v, (r * t + i + 1) * v);
      let max = -Infinity;
      for (const x of row) max = Math.max(max, x);
      let sum = 0;
      for (const x of row) sum += Math.exp(x - max);
      const lse = max + Math.log(sum);
      rows[r].push(Float64Array.from(row, (x) => x - lse));
    }
  }
  const next: Past = {};
  for (const name of session.outputNames) if (name.startsWith('present.')) next[name.replace('present.', 'past_key_values.')] = out[name];
  return { rows, next };
}

let failed = false;
const report = (what: string, diff: number, fatal = true) => {
  const bad = !(diff <= TOLERANCE);
  if (bad && fatal) failed = true;
  console.log(`  ${bad ? (fatal ? 'FAIL' : 'note') : 'ok  '} ${what}: max |diff| ${diff.toExponential(2)}`);
};
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const start = ref.documentStartId;

// 1. One pass per text.
const single: number[][] = [];
for (const text of ref.texts) {
  const seq = [start, ...text.ids];
  const { rows } = await run([seq], [seq.map(() => 1)], [range(0, seq.length)], emptyPast(1), false);
  const got = text.ids.map((id, i) => rows[0][i][id]);
  single.push(got);
  report(`${text.name} (${text.ids.length} tokens) vs PyTorch`, Math.max(...got.map((x, i) => Math.abs(x - text.logProbs[i]))));
}

// 2. Half in one pass, then one token at a time through the cache.
{
  const text = ref.texts[0];
  const seq = [start, ...text.ids];
  const half = Math.floor(seq.length / 2);
  let { rows, next } = await run([seq.slice(0, half)], [range(0, half).map(() => 1)], [range(0, half)], emptyPast(1), false);
  const got = rows[0].slice(0, half - 1).map((row, i) => row[seq[i + 1]]);
  let last = rows[0][half - 1];
  for (let p = half; p < seq.length; p++) {
    got.push(last[seq[p]]);
    if (p === seq.length - 1) break;
    ({ rows, next } = await run([[seq[p]]], [range(0, p + 1).map(() => 1)], [[p]], next, true));
    last = rows[0][0];
  }
  report(`${text.name} through the cache, one token at a time`, Math.max(...got.map((x, i) => Math.abs(x - text.logProbs[i]))));
}

// 3. Left padding.
{
  const [a, b] = ref.texts.slice(0, 2).map((t) => [start, ...t.ids]);
  const [long, short, shortIndex] = a.length >= b.length ? [a, b, 1] : [b, a, 0];
  const pad = long.length - short.length;
  const ids = [long, [...Array(pad).fill(config.eos_token_id), ...short]];
  const mask = [long.map(() => 1), [...Array(pad).fill(0), ...short.map(() => 1)]];
  const positions = mask.map((m) => { let n = 0; return m.map((x) => (x ? n++ : 1)); });
  const { rows } = await run(ids, mask, positions, emptyPast(2), false);
  const got = short.slice(1).map((id, i) => rows[1][pad + i][id]);
  report(`left-padded row (${pad} pads) vs its single pass`, Math.max(...got.map((x, i) => Math.abs(x - single[shortIndex][i]))), hasPositions);
}
// 4. The sanity probe, through a CausalLM that feeds the graph what it needs beyond ids and mask.
{
  env.allowRemoteModels = false;
  env.localModelPath = dirname(resolve(folder)) + '/';
  const tokenizer = await AutoTokenizer.from_pretrained(basename(resolve(folder)));
  const model = {
    async forward(inputs: { input_ids: ort.Tensor; attention_mask: ort.Tensor }) {
      const n = inputs.input_ids.dims[1] as number;
      const feeds: Record<string, ort.Tensor> = { input_ids: inputs.input_ids, attention_mask: inputs.attention_mask, ...emptyPast(1) };
      if (hasPositions) feeds.position_ids = int64([range(0, n)]);
      if (hasBranch) feeds.use_cache_branch = new ort.Tensor('bool', [false], [1]);
      return { logits: (await session.run(feeds)).logits, past_key_values: {} };
    },
    dispose: async () => undefined,
  } as unknown as CausalLM;
  const ids = Int32Array.from(tokenizer.encode(PROBE_TEXT, null, { add_special_tokens: false }) as number[]);
  const setup = { model, eotId: start, vocabSize: config.vocab_size, context: config.n_positions ?? config.max_position_embeddings, normalize: true };
  try {
    const probe = await probeModel(setup, ids, folder, '');
    console.log(`  ok   sanity probe: perplexity ${probe.perplexity.toFixed(1)} on ${probe.tokens} tokens, ${probe.contextFreePerplexity.toFixed(1)} with the context averaged away (vocabulary ${config.vocab_size})`);
  } catch (error) {
    failed = true;
    console.log(`  FAIL ${(error as Error).message}`);
  }
}
process.exit(failed ? 1 : 0);
