/**
 * Step 7 of the model recipe: check the exported folder in Node and measure it.
 *  1. Load it with plain AutoTokenizer + AutoModelForCausalLM, offline, and compare the graph's
 *     output with the PyTorch reference (test/fixtures/model-reference.json).
 *  2. Score the 50 held-out Brown documents with TransformersPrior (the code Tailguard runs) and
 *     report perplexity per BPE token and per word, bits per character, the shares of tokens with
 *     P > 0.9 and P > 0.99, and a probability histogram in 0.1 bins; compare with PyTorch's eval.json.
 *  3. Measure scoring throughput and batched generation throughput (batch 16).
 * Writes <cacheDir>/node-eval.json.
 *
 * Usage: npx tsx tools/model/check.mts <modelDir> <cacheDir>
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, Tensor, env } from '@xenova/transformers';
import { readBrown } from '../../src/corpus/brown.ts';
import { TransformersPrior } from '../../src/prior/transformers/index.ts';
import { createRng } from '../../src/random.ts';

const [modelDir, cacheDir] = process.argv.slice(2);
if (!modelDir || !cacheDir) throw new Error('usage: check.mts <modelDir> <cacheDir>');

// 1. Plain transformers.js, offline.
env.allowRemoteModels = false;
env.localModelPath = dirname(resolve(modelDir)) + '/';
const name = basename(resolve(modelDir));
const tokenizer = await AutoTokenizer.from_pretrained(name);
const model = await AutoModelForCausalLM.from_pretrained(name, { quantized: false });
const ref = JSON.parse(await readFile('test/fixtures/model-reference.json', 'utf8')) as {
  texts: Array<{ name: string; text: string; ids: number[]; logProbs: number[] }>;
};
const eot = tokenizer.model.tokens_to_ids.get('<|endoftext|>') as number;
let worst = 0;
for (const r of ref.texts) {
  const ids: number[] = tokenizer.encode(r.text, null, { add_special_tokens: false });
  if (ids.join() !== r.ids.join()) throw new Error(`${r.name}: ids differ from the reference`);
  const seq = [eot, ...ids];
  const out = await model({
    input_ids: new Tensor('int64', BigInt64Array.from(seq, BigInt), [1, seq.length]),
    attention_mask: new Tensor('int64', new BigInt64Array(seq.length).fill(1n), [1, seq.length]),
  });
  const data = out.logits.data as Float32Array;
  const v = out.logits.dims[2];
  for (let i = 0; i < ids.length; i++) worst = Math.max(worst, Math.abs(data[i * v + ids[i]] - r.logProbs[i]));
}
console.log(`plain transformers.js load: OK; max |log-prob diff| vs PyTorch ${worst.toExponential(2)}`);
await model.dispose();

// 2. Held-out evaluation with the prior.
const prior = await TransformersPrior.load({ model: modelDir });
const docs: string[] = [];
for await (const d of readBrown('heldout')) docs.push(d.text);
const words = docs.reduce((s, t) => s + t.split(/\s+/).filter((w) => w.length > 0).length, 0);
const chars = docs.reduce((s, t) => s + t.length, 0);
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const toks = docs.map((t) => prior.tokenize(t));
const tTok = performance.now();
const scores = await prior.score(toks, { topK: 8 });
const tScore = performance.now();
const cpuScore = process.cpuUsage(cpu0);
let nll = 0;
let tokens = 0;
let over09 = 0;
let over099 = 0;
let top1 = 0;
const hist = new Array<number>(10).fill(0);
for (const s of scores) {
  for (let i = 0; i < s.logProb.length; i++) {
    const p = Math.exp(s.logProb[i]);
    nll -= s.logProb[i];
    tokens++;
    if (p > 0.9) over09++;
    if (p > 0.99) over099++;
    if (s.rank[i] === 1) top1++;
    hist[Math.min(9, Math.floor(p * 10))]++;
  }
}
const result = {
  model: prior.identity,
  tokens,
  words,
  chars,
  pplToken: Math.exp(nll / tokens),
  pplWord: Math.exp(nll / words),
  bitsPerChar: nll / Math.LN2 / chars,
  shareP09: over09 / tokens,
  shareP099: over099 / tokens,
  shareTop1: top1 / tokens,
  histogram: hist,
  histogramShare: hist.map((h) => h / tokens),
  tokenizeCharsPerSecond: chars / ((tTok - t0) / 1000),
  scoreTokensPerSecond: tokens / ((tScore - tTok) / 1000),
  tokenizeAndScoreTokensPerCpuSecond: tokens / ((cpuScore.user + cpuScore.system) / 1e6),
  pytorchMaxLogProbDiff: worst,
  generation: {} as Record<string, number>,
};
console.log(`held-out: ${tokens} tokens, ${words} words: PPL/token ${result.pplToken.toFixed(2)}, PPL/word ${result.pplWord.toFixed(2)}, ` +
  `${result.bitsPerChar.toFixed(3)} bits/char, P>0.9 ${(100 * result.shareP09).toFixed(2)}%, P>0.99 ${(100 * result.shareP099).toFixed(3)}%, top-1 ${(100 * result.shareTop1).toFixed(1)}%`);
console.log(`histogram (0.1 bins): ${hist.join(' ')}`);
console.log(`scoring: ${result.scoreTokensPerSecond.toFixed(0)} tokens/s, ${result.tokenizeAndScoreTokensPerCpuSecond.toFixed(0)} per CPU-second with tokenizing (top-8, stride ${prior.identity.details?.windowStride}); tokenize ${(result.tokenizeCharsPerSecond / 1e6).toFixed(2)}M chars/s`);
const evalFile = join(cacheDir, 'eval.json');
if (existsSync(evalFile)) {
  const py = JSON.parse(await readFile(evalFile, 'utf8')) as { ppl_token: number; tokens: number };
  console.log(`PyTorch eval.json: PPL/token ${py.ppl_token.toFixed(2)} over ${py.tokens} tokens`);
}

// 3. Generation throughput: 16 prompts, 300 new tokens each (one slide past the context).
for (const topK of [0, 8]) {
  const prompts = toks.slice(0, 16).map((t) => t.ids.slice(0, 32));
  const session = await prior.beginDecoding(prompts);
  const rngs = prompts.map((_, i) => createRng(i));
  const steps = 300;
  const g0 = performance.now();
  const c0 = process.cpuUsage();
  for (let s = 0; s < steps; s++) {
    const dists = await session.next();
    await session.push(dists.map((d, r) => d.sample(rngs[r], { temperature: 1, topK, topP: 1 })));
  }
  const rate = (16 * steps) / ((performance.now() - g0) / 1000);
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  result.generation[`batch16_topK${topK}_tokensPerSecond`] = rate;
  result.generation[`batch16_topK${topK}_tokensPerCpuSecond`] = (16 * steps) / cpuSeconds;
  // The machine may be shared: tokens per CPU-second (all threads) is the steadier figure.
  console.log(`generation: batch 16, top-k ${topK}: ${rate.toFixed(0)} new tokens/s (${((16 * steps) / cpuSeconds).toFixed(0)} per CPU-second)`);
  await session.close();
}
await prior.dispose();
await writeFile(join(cacheDir, 'node-eval.json'), JSON.stringify(result, null, 1));
