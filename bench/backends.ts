/**
 * Forward passes through each transformers backend against bare onnxruntime-node of ITS OWN
 * version, on the same graph file and the same batches (issue 23: each backend at >= 0.9x bare).
 *
 * The two backends bring different onnxruntime builds: @xenova/transformers 2.17 runs
 * onnxruntime-node 1.14 (node_modules/onnxruntime-node), @huggingface/transformers 4.3 runs
 * onnxruntime-node 1.30 (its own nested copy). Comparing a backend with the other version's bare
 * runtime would measure the runtime upgrade, not the backend's overhead, so each pair is:
 *
 *   xenova       the prior's CausalLM (transformers/model.ts SessionCausalLM: feeds built for the
 *                graph, on the session @xenova/transformers opened) vs InferenceSession.run of
 *                onnxruntime-node 1.14;
 *   huggingface  the same SessionCausalLM on the session @huggingface/transformers opened
 *                (huggingface/open-graph.ts) vs InferenceSession.run of onnxruntime-node 1.30.
 *
 * Batches: the Brown held-out split tokenized by the prior and cut into its scoring windows (context
 * 256, stride 128); the first BATCHES x 16 full windows of 256 tokens, all of width 256 (no padding),
 * as input_ids + attention_mask + an empty past [16, heads, 0, head size] (what both libraries feed
 * on a first step). Bare sessions are created with default options, like the libraries' own.
 *
 * Each run measures every pair in the order backend, bare, bare, backend (ABBA, so a drift of the
 * machine's speed cancels in the ratio) after one warm-up pass each; the table shows medians over
 * runs. The machine may be shared: load averages and CPU-seconds (process.cpuUsage, which counts
 * onnxruntime's worker threads) are recorded next to wall times, and the ratio is also given per
 * CPU-second. JSON goes to bench/results/backends.json. Throughput per model size is extrapolated
 * from the measured one by forward FLOPs per token (labelled as such): see flops.ts.
 *
 *   node --import tsx bench/backends.ts [--runs N] [--batches N]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import ort14 from 'onnxruntime-node';
import { readBrown } from '../src/corpus/brown.js';
import { loadHuggingfacePrior } from '../src/prior/huggingface/index.js';
import { planWindows, TransformersPrior } from '../src/prior/transformers/index.js';
import type { CausalLM } from '../src/prior/transformers/model.js';
import { extrapolate, forwardFlopsPerToken } from './flops.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(arg('--runs')) || 5;
const BATCHES = Number(arg('--batches')) || 4;
const ROWS = 16;
const MODEL = 'models/brown-gpt-5m';
const ONNX_FILE = join(MODEL, 'onnx', 'decoder_model_merged.onnx');

// The onnxruntime-node @huggingface/transformers resolves, not the top-level one @xenova's is.
const hfRequire = createRequire(createRequire(import.meta.url).resolve('@huggingface/transformers'));
const ort30 = hfRequire('onnxruntime-node') as typeof ort14;
const versionOf = (req: NodeRequire) => (JSON.parse(readFileSync(req.resolve('onnxruntime-node/package.json'), 'utf8')) as { version: string }).version;
const versions = { xenova: versionOf(createRequire(import.meta.url)), huggingface: versionOf(hfRequire) };

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const load = (): number[] => loadavg().map((x) => Math.round(x * 100) / 100);

// ---------------------------------------------------------------------------------------------
// The priors, their models, the bare sessions and the batches.

const priors = { xenova: await TransformersPrior.load({ model: MODEL }), huggingface: await loadHuggingfacePrior({ model: MODEL }) };
const models = Object.fromEntries(Object.entries(priors).map(([k, p]) => [k, (p as unknown as { model: CausalLM }).model])) as Record<keyof typeof priors, CausalLM>;
const sessions = { xenova: await ort14.InferenceSession.create(ONNX_FILE), huggingface: await ort30.InferenceSession.create(ONNX_FILE) };
const prior = priors.xenova;
const config = JSON.parse(readFileSync(join(MODEL, 'config.json'), 'utf8')) as { n_head: number; n_embd: number; n_layer: number; n_inner: number; vocab_size: number; n_positions: number };
const context = prior.identity.contextSize;
const stride = Number(prior.identity.details?.windowStride);
const eotId = Number(prior.identity.details?.bosId); // the document-start symbol (<|endoftext|> for this model)

interface Batch {
  ids: BigInt64Array;
  mask: BigInt64Array;
}
const windows: number[][] = [];
for await (const d of readBrown('heldout')) {
  const ids = prior.tokenize(d.text).ids;
  const s = [eotId, ...ids];
  for (const w of planWindows(ids.length, context, stride)) if (w.end - w.start === context) windows.push(s.slice(w.start, w.end));
  if (windows.length >= BATCHES * ROWS) break;
}
const batches: Batch[] = [];
for (let b = 0; b < BATCHES; b++) {
  const rows = windows.slice(b * ROWS, (b + 1) * ROWS);
  batches.push({ ids: BigInt64Array.from(rows.flat(), (x) => BigInt(x)), mask: new BigInt64Array(ROWS * context).fill(1n) });
}
const tokens = BATCHES * ROWS * context;

const heads = config.n_head;
const headSize = config.n_embd / config.n_head;
const pastNames = sessions.xenova.inputNames.filter((n) => n.startsWith('past_key_values.'));
function bareFeeds(ort: typeof ort14, b: Batch): Record<string, ort14.Tensor> {
  const f: Record<string, ort14.Tensor> = {
    input_ids: new ort.Tensor('int64', b.ids, [ROWS, context]),
    attention_mask: new ort.Tensor('int64', b.mask, [ROWS, context]),
  };
  for (const n of pastNames) f[n] = new ort.Tensor('float32', new Float32Array(0), [ROWS, heads, 0, headSize]);
  return f;
}

// ---------------------------------------------------------------------------------------------
// The measurements: all batches once, wall and CPU time. The first logits of every pass are
// checked against the bare session's, so the backend and bare runtime compute the same thing.

type Pair = keyof typeof priors;
const firstLogit: Record<string, number[]> = {};

async function timeIt(label: string, pass: (b: Batch) => Promise<Float32Array>): Promise<{ seconds: number; cpuSeconds: number }> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const seen: number[] = [];
  for (const b of batches) seen.push((await pass(b))[0]);
  const seconds = (performance.now() - t0) / 1000;
  const u = process.cpuUsage(cpu);
  firstLogit[label] ??= seen;
  return { seconds, cpuSeconds: (u.user + u.system) / 1e6 };
}
const backend = (pair: Pair) => () =>
  timeIt(pair, async (b) => (await models[pair].forward({ input_ids: { type: 'int64', data: b.ids, dims: [ROWS, context] }, attention_mask: { type: 'int64', data: b.mask, dims: [ROWS, context] } })).logits.data as Float32Array);
const bare = (pair: Pair) => () => {
  const ort = pair === 'xenova' ? ort14 : ort30;
  return timeIt(`bare-${pair}`, async (b) => (await sessions[pair].run(bareFeeds(ort, b))).logits.data as Float32Array);
};

const samples: Array<Record<string, unknown>> = [];
for (const pair of ['xenova', 'huggingface'] as Pair[]) {
  await backend(pair)(); // warm-up
  await bare(pair)();
}
for (let run = 0; run < runs; run++) {
  const sample: Record<string, unknown> = { run, loadBefore: load() };
  for (const pair of ['xenova', 'huggingface'] as Pair[]) {
    const a1 = await backend(pair)();
    const b1 = await bare(pair)();
    const b2 = await bare(pair)();
    const a2 = await backend(pair)();
    const a = { seconds: (a1.seconds + a2.seconds) / 2, cpuSeconds: (a1.cpuSeconds + a2.cpuSeconds) / 2 };
    const b = { seconds: (b1.seconds + b2.seconds) / 2, cpuSeconds: (b1.cpuSeconds + b2.cpuSeconds) / 2 };
    sample[pair] = { backend: a, bare: b, ratio: b.seconds / a.seconds, ratioPerCpuSecond: b.cpuSeconds / a.cpuSeconds };
  }
  sample.loadAfter = load();
  samples.push(sample);
  console.error(`run ${run + 1}/${runs}: load ${(sample.loadAfter as number[]).join(' ')}`);
}

// ---------------------------------------------------------------------------------------------
// Medians, the extrapolation, JSON and the table.

const of = (pair: Pair, f: (s: { backend: { seconds: number; cpuSeconds: number }; bare: { seconds: number; cpuSeconds: number }; ratio: number; ratioPerCpuSecond: number }) => number) =>
  median(samples.map((s) => f(s[pair] as Parameters<typeof f>[0])));
const rows = (['xenova', 'huggingface'] as Pair[]).map((pair) => ({
  backend: pair,
  onnxruntimeNode: versions[pair],
  backendTokensPerSecond: tokens / of(pair, (s) => s.backend.seconds),
  bareTokensPerSecond: tokens / of(pair, (s) => s.bare.seconds),
  backendTokensPerCpuSecond: tokens / of(pair, (s) => s.backend.cpuSeconds),
  ratio: of(pair, (s) => s.ratio),
  ratioPerCpuSecond: of(pair, (s) => s.ratioPerCpuSecond),
  sameLogitsAsBare: firstLogit[pair].every((x, i) => Math.abs(x - firstLogit[`bare-${pair}`][i]) < 1e-4),
}));
const shippedFlops = forwardFlopsPerToken({ layers: config.n_layer, width: config.n_embd, ffn: config.n_inner, vocab: config.vocab_size, heads, kvHeads: heads, gated: false }, context / 2);
// The wall rate of a loaded machine says little; the rate per CPU-second is one core's worth
// (onnxruntime's threads counted together), the base of the extrapolation. The default backend's:
// the lower of the two.
const best = rows[0].backendTokensPerCpuSecond;
const result = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  runs,
  model: { name: prior.identity.name, sha256: prior.identity.sha256, context, forwardFlopsPerToken: shippedFlops },
  batches: { count: BATCHES, rows: ROWS, sequenceLength: context, tokens },
  backends: rows,
  extrapolated: extrapolate(best, shippedFlops, context / 2),
  samples,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/backends.json', JSON.stringify(result, null, 2) + '\n');

const f0 = (x: number) => Math.round(x).toLocaleString('en-US');
console.log(`forward passes, ${BATCHES} batches of ${ROWS} x ${context} tokens of Brown held-out, medians of ${runs} runs (ABBA), ${cpus().length} CPUs, load ${load().join(' ')}`);
console.log('backend      onnxruntime-node  backend tok/s  bare tok/s  backend/bare  per CPU-s  same logits');
for (const r of rows) {
  console.log(`${r.backend.padEnd(12)} ${r.onnxruntimeNode.padEnd(16)}  ${f0(r.backendTokensPerSecond).padStart(13)}  ${f0(r.bareTokensPerSecond).padStart(10)}  ${r.ratio.toFixed(3).padStart(12)}  ${r.ratioPerCpuSecond.toFixed(3).padStart(9)}  ${r.sameLogitsAsBare ? 'yes' : 'NO'}`);
}
console.log(`\nEXTRAPOLATED by forward FLOPs per token from ${(shippedFlops / 1e6).toFixed(1)} MFLOP/token at ${f0(best)} tokens per CPU-second (xenova), not measured:`);
for (const e of result.extrapolated) console.log(`  ${e.model.padEnd(16)} ${(e.flopsPerToken / 1e9).toFixed(2).padStart(6)} GFLOP/token  ~${f0(e.tokensPerSecond).padStart(7)} tokens per CPU-second`);

for (const p of Object.values(priors)) await p.dispose();
// onnxruntime-node 1.14 sessions have no release(); the process ends here anyway.
await (sessions.huggingface as unknown as { release(): Promise<void> }).release();
