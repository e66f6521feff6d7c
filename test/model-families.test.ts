import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AutoTokenizer, env } from '@xenova/transformers';
import ort from 'onnxruntime-node';
import { verifyChecksums } from '../src/prior/transformers/checksums.js';
import { startNode } from './helpers/cli.js';

/**
 * The test models of each family (issue 23, tools/model/families/build.sh): each folder is what a
 * user downloads from that family, in miniature. These tests check the fixtures themselves (files,
 * checksums, graph contract, tokens, PyTorch agreement); loading and scoring them through the prior
 * is tested with the loader.
 */
const FIXTURES = resolve('test/fixtures/models');
interface Fixture {
  name: string;
  modelType: string;
  graph: string;
  positionIds: boolean;
  cacheBranch: boolean;
  /** The document-start token the model was trained with (its reference.json prepends it). */
  start: string;
  eos: string;
}
const FAMILIES: Fixture[] = [
  { name: 'gpt2-merged', modelType: 'gpt2', graph: 'onnx/decoder_model_merged.onnx', positionIds: false, cacheBranch: true, start: '<|endoftext|>', eos: '<|endoftext|>' },
  { name: 'gpt2-single', modelType: 'gpt2', graph: 'onnx/model.onnx', positionIds: true, cacheBranch: false, start: '<|endoftext|>', eos: '<|endoftext|>' },
  { name: 'llama', modelType: 'llama', graph: 'onnx/decoder_model_merged.onnx', positionIds: true, cacheBranch: true, start: '<s>', eos: '</s>' },
  { name: 'qwen2', modelType: 'qwen2', graph: 'onnx/model.onnx', positionIds: true, cacheBranch: false, start: '<|endoftext|>', eos: '<|endoftext|>' },
];
const LOADED = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json'];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const readJson = async (fixture: Fixture, file: string): Promise<Json> => JSON.parse(await readFile(join(FIXTURES, fixture.name, file), 'utf8'));

env.allowRemoteModels = false;
env.localModelPath = FIXTURES + '/';

for (const fixture of FAMILIES) {
  const folder = join(FIXTURES, fixture.name);

  test(`${fixture.name}: config.json says model_type ${fixture.modelType}, and SHA256SUMS lists and verifies every file a loader reads`, async (t) => {
    const config = await readJson(fixture, 'config.json');
    t.is(config.model_type, fixture.modelType);
    t.falsy(config.output_is_log_softmax, 'a foreign model: raw logits');
    const checks = await verifyChecksums(folder, [...LOADED, fixture.graph], 'rebuild with bash tools/model/families/build.sh');
    t.deepEqual(checks.unverified, []);
    t.deepEqual([...checks.hashes.keys()].sort(), [...LOADED, fixture.graph].sort());
  });

  test(`${fixture.name}: the graph has Hugging Face's export names and shapes, and emits raw logits`, async (t) => {
    const config = await readJson(fixture, 'config.json');
    const layers: number = config.n_layer ?? config.num_hidden_layers;
    const heads: number = config.n_head ?? config.num_attention_heads;
    const kvHeads: number = config.num_key_value_heads ?? heads;
    const headDim = (config.n_embd ?? config.hidden_size) / heads;
    const session = await ort.InferenceSession.create(join(folder, fixture.graph));
    const past = Array.from({ length: layers }, (_, i) => [`past_key_values.${i}.key`, `past_key_values.${i}.value`]).flat();
    t.deepEqual(session.inputNames, [
      'input_ids', 'attention_mask', ...(fixture.positionIds ? ['position_ids'] : []), ...past, ...(fixture.cacheBranch ? ['use_cache_branch'] : []),
    ]);
    t.deepEqual(session.outputNames, ['logits', ...past.map((n) => n.replace('past_key_values', 'present'))]);

    // Two rows of three tokens from an empty past: presents hold the key/value heads only.
    const ids = [1, 2, 3, 4, 5, 6].map(BigInt);
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids), [2, 3]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(6).fill(1n), [2, 3]),
    };
    if (fixture.positionIds) feeds.position_ids = new ort.Tensor('int64', BigInt64Array.from([0n, 1n, 2n, 0n, 1n, 2n]), [2, 3]);
    if (fixture.cacheBranch) feeds.use_cache_branch = new ort.Tensor('bool', [false], [1]);
    for (const name of past) feeds[name] = new ort.Tensor('float32', new Float32Array(0), [2, kvHeads, 0, headDim]);
    const out = await session.run(feeds);
    t.deepEqual(out.logits.dims, [2, 3, config.vocab_size]);
    for (const name of past) t.deepEqual(out[name.replace('past_key_values', 'present')].dims, [2, kvHeads, 3, headDim]);
    const row = (out.logits.data as Float32Array).subarray(0, config.vocab_size);
    const max = Math.max(...row);
    const logSumExp = max + Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0));
    t.true(Math.abs(logSumExp) > 0.1, `raw logits, not log-probabilities (log sum exp ${logSumExp})`);
  });

  test(`${fixture.name}: the family's special tokens: document start ${fixture.start}, end ${fixture.eos}`, async (t) => {
    const config = await readJson(fixture, 'config.json');
    const generation = await readJson(fixture, 'generation_config.json');
    const tokenizer = await AutoTokenizer.from_pretrained(fixture.name);
    const id = (token: string) => tokenizer.model.tokens_to_ids.get(token) as number;
    t.is((await readJson(fixture, 'reference.json')).documentStartId, id(fixture.start));
    t.is(config.eos_token_id, id(fixture.eos));
    t.is(generation.eos_token_id, id(fixture.eos));
    t.is(config.bos_token_id, id(fixture.modelType === 'llama' ? '<s>' : '<|endoftext|>'));
    const plain = tokenizer.encode('A plain sentence.');
    if (fixture.modelType === 'llama') t.is(plain[0], id('<s>'), 'Llama tokenizers add <s>');
    else t.not(plain[0], id(fixture.start), 'GPT-2 and Qwen2 tokenizers add no start token');
  });

  test(`${fixture.name}: the reference ids are the tokenizer's, and bare onnxruntime reproduces PyTorch within 1e-3 (one pass, cache, left padding) and passes the sanity probe`, async (t) => {
    const reference = await readJson(fixture, 'reference.json');
    const tokenizer = await AutoTokenizer.from_pretrained(fixture.name);
    for (const r of [...reference.texts, ...reference.documents]) {
      t.deepEqual(tokenizer.encode(r.text, null, { add_special_tokens: false }), r.ids, r.name);
      t.is(r.logProbs.length, r.ids.length);
    }
    t.true(reference.documents.some((d: Json) => d.ids.length > 4 * reference.context), 'documents long enough for several windows');
    const run = await startNode(['tools/model/families/check-onnx.mts', folder]).done;
    t.is(run.code, 0, run.stdout + run.stderr);
    t.regex(run.stdout, /ok {3}held-out paragraph .* through the cache/);
    t.regex(run.stdout, /ok {3}sanity probe/);
    // Without position_ids a left-padded row sits at shifted positions (as in legacy GPT-2 exports).
    t.regex(run.stdout, fixture.positionIds ? /ok {3}left-padded row/ : /note left-padded row/);
  });
}

const family = (name: string) => FAMILIES.find((f) => f.name === name)!;

test('llama: grouped-query attention, and a SentencePiece-style tokenizer whose byte fallback spells newlines and accents and gives them back', async (t) => {
  const llama = family('llama');
  const config = await readJson(llama, 'config.json');
  t.true(config.num_key_value_heads < config.num_attention_heads);
  const json = await readJson(llama, 'tokenizer.json');
  t.is(json.pre_tokenizer.type, 'Metaspace');
  t.true(json.model.byte_fallback);
  const tokenizer = await AutoTokenizer.from_pretrained(llama.name);
  const text = 'A naïve café.\n\nThe end';
  const ids: number[] = tokenizer.encode(text, null, { add_special_tokens: false });
  t.true(ids.includes(json.model.vocab['<0x0A>']), 'newline by byte fallback');
  t.true(ids.includes(json.model.vocab['<0xC3>']), 'ï and é by byte fallback');
  t.is(tokenizer.decode(ids), text);
});

test('qwen2: grouped-query attention, logits wider than the tokenizer, and a pre-tokenizer that splits digits one by one', async (t) => {
  const qwen2 = family('qwen2');
  const config = await readJson(qwen2, 'config.json');
  t.true(config.num_key_value_heads < config.num_attention_heads);
  const json = await readJson(qwen2, 'tokenizer.json');
  const tokenizerSize = Object.keys(json.model.vocab).length + json.added_tokens.length;
  t.true(config.vocab_size > tokenizerSize, `${config.vocab_size} logits for ${tokenizerSize} tokens`);
  const tokenizer = await AutoTokenizer.from_pretrained(qwen2.name);
  const tokens: string[] = tokenizer.model.convert_ids_to_tokens(tokenizer.encode('in 1961', null, { add_special_tokens: false }));
  t.deepEqual(tokens.slice(-4), ['1', '9', '6', '1']);
});
