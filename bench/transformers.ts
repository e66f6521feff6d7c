/**
 * Benchmark of the transformers.js prior against its ceilings, on the same machine, in one run and
 * on the same batches: the Brown held-out split tokenized by the prior and cut into the prior's
 * scoring windows (context 256, the prior's stride), batched as the prior batches them (longest
 * first, right padding), at batch sizes 8 and 16.
 *
 *  1. Tailguard: TransformersPrior.score(docs, { topK: 8, entropy: false, candidatesAbove: 0.99 })
 *     as the editing pass scores (ranks everywhere for the audit, candidates where ToEdit may
 *     resample, entropy only when per-token scores are written), then resampleDocument for every
 *     document (threshold 0.99, beta 1.5, top-8): scored tokens per second.
 *  2. Bare onnxruntime-node (the copy transformers.js loads): InferenceSession.run on the same
 *     padded input_ids / attention_mask tensors (built beforehand) with an empty past
 *     [B, heads, 0, head size], output unused. The ceiling for (1).
 *  3. PyTorch eager on the same weights and batches (tools/model/bench_torch.py, Debian
 *     python3-torch with OpenBLAS, `apt-get install python3-torch python3-onnx libopenblas0-pthread`,
 *     2 threads): forward, log_softmax, top-8, under no_grad. Without libopenblas0 Debian's torch
 *     falls back to the reference BLAS and is ~25x slower; the JSON records which BLAS was mapped.
 *  4. Batched seeded generation: beginDecoding + sample as src/generate/continue.ts does, 16
 *     prompts of 32 tokens, 224 new tokens each (the cache stays within the context): new tokens/s.
 *  5. Peak RSS of the Node process and of each Python process.
 *
 * Tailguard's time is also split into forward passes (transformers.js + onnxruntime, timed around
 * the prior's model.forward, which also checks that the prior's batches are the ones given to the
 * other two) and the rest (readout of log-prob, rank, entropy and top-k per position; editing).
 *
 * Each run measures Tailguard and bare onnxruntime twice per batch size, in the order A B B A, so
 * ratios are taken between measurements made close together in time and a drift of the machine's
 * speed cancels; the table shows medians over runs (and the medians of per-run ratios).
 * The machine may be shared, so load averages and CPU-seconds are recorded next to wall times.
 * JSON goes to bench/results/transformers.json.
 *
 *   node --import tsx bench/transformers.ts [--runs N] [--limit DOCS] [--skip-torch] [--python PY]
 *
 * --limit scores only the first DOCS held-out documents (for quick checks and profiling; the JSON
 * says so). --python defaults to /usr/bin/python3 (Debian's torch is not visible to every python3).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import ort from 'onnxruntime-node';
import { readBrown } from '../src/corpus/brown.js';
import { resampleDocument, type ResampleOptions } from '../src/edit/resample.js';
import { planWindows, TransformersPrior } from '../src/prior/transformers/index.js';
import type { CausalLM } from '../src/prior/transformers/model.js';
import type { TokenizedText } from '../src/prior/types.js';
import { createRng } from '../src/random.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(arg('--runs')) || 3;
const limit = Number(arg('--limit')) || 0;
const skipTorch = process.argv.includes('--skip-torch');
const python = arg('--python') ?? '/usr/bin/python3';

const MODEL = 'models/brown-gpt-5m';
const ONNX_FILE = join(MODEL, 'onnx', 'decoder_model_merged.onnx');
const BATCH_SIZES = [8, 16];
const TOP_K = 8;
const EDIT: ResampleOptions = { threshold: 0.99, beta: 1.5, topK: TOP_K, excludeOriginal: false, deleteBelow: null, editWhitespace: false };
const GEN = { batch: 16, promptTokens: 32, newTokens: 224, sampling: { temperature: 1, topK: 0, topP: 1 } };

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};
const load = (): number[] => loadavg().map((x) => Math.round(x * 100) / 100);

// ---------------------------------------------------------------------------------------------
// Data: held-out documents, tokenized by the prior; windows and batches exactly as score.ts
// builds them (checked against the prior's own forward calls during the runs).

const texts: string[] = [];
for await (const d of readBrown('heldout')) texts.push(d.text);
if (limit > 0) texts.splice(limit);

const priors = new Map<number, TransformersPrior>();
for (const b of BATCH_SIZES) priors.set(b, await TransformersPrior.load({ model: MODEL, batchSize: b }));
const prior = priors.get(BATCH_SIZES[0])!;
const context = prior.identity.contextSize;
const stride = Number(prior.identity.details?.windowStride);
const eotId = Number(prior.identity.details?.bosId);
const docs: TokenizedText[] = texts.map((t) => prior.tokenize(t));
const scoredTokens = docs.reduce((n, d) => n + d.ids.length, 0);

interface Batch {
  rows: number;
  width: number;
  ids: BigInt64Array;
  mask: BigInt64Array;
}

function planBatches(batchSize: number): Batch[] {
  const jobs: { doc: number; start: number; end: number }[] = [];
  docs.forEach((d, doc) => {
    for (const w of planWindows(d.ids.length, context, stride)) jobs.push({ doc, start: w.start, end: w.end });
  });
  jobs.sort((a, b) => b.end - b.start - (a.end - a.start) || a.doc - b.doc);
  const tokenAt = (d: number, j: number): number => (j === 0 ? eotId : docs[d].ids[j - 1]);
  const batches: Batch[] = [];
  for (let at = 0; at < jobs.length; at += batchSize) {
    const batch = jobs.slice(at, at + batchSize);
    const width = batch[0].end - batch[0].start;
    const ids = new BigInt64Array(batch.length * width).fill(BigInt(eotId));
    const mask = new BigInt64Array(batch.length * width);
    batch.forEach(({ doc, start, end }, r) => {
      for (let j = start; j < end; j++) {
        ids[r * width + j - start] = BigInt(tokenAt(doc, j));
        mask[r * width + j - start] = 1n;
      }
    });
    batches.push({ rows: batch.length, width, ids, mask });
  }
  return batches;
}
const batches = new Map(BATCH_SIZES.map((b) => [b, planBatches(b)]));
const positions = (bs: Batch[]): number => bs.reduce((n, b) => n + b.rows * b.width, 0);
const realPositions = (bs: Batch[]): number => bs.reduce((n, b) => n + b.mask.reduce((s, m) => s + Number(m), 0), 0);

/**
 * Check, while the prior scores, that its forward passes get exactly our batches. This reaches
 * into the prior's private model (benchmark only); comparing a batch costs microseconds.
 */
let expected: Batch[] | null = null; // null: not checking (warm-up, generation)
let seen = 0;
let mismatches = 0;
/** Time spent inside the prior's forward passes (transformers.js + onnxruntime) while checking. */
let forwardMs = 0;
for (const p of priors.values()) {
  const model = (p as unknown as { model: CausalLM }).model;
  const forward = model.forward.bind(model);
  model.forward = async (inputs) => {
    if (expected === null) return forward(inputs);
    const b = expected[seen++];
    const ids = inputs.input_ids.data as BigInt64Array;
    const mask = inputs.attention_mask.data as BigInt64Array;
    const same = b !== undefined && inputs.past_key_values == null && ids.length === b.ids.length && inputs.input_ids.dims[1] === b.width &&
      ids.every((x, i) => x === b.ids[i]) && mask.every((x, i) => x === b.mask[i]);
    if (!same) mismatches++;
    const t0 = performance.now();
    const out = await forward(inputs);
    forwardMs += performance.now() - t0;
    return out;
  };
}

// ---------------------------------------------------------------------------------------------
// The measurements.

async function tailguard(batchSize: number) {
  const p = priors.get(batchSize)!;
  expected = batches.get(batchSize)!;
  seen = 0;
  forwardMs = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const scores = await p.score(docs, { topK: TOP_K, entropy: false, candidatesAbove: EDIT.threshold });
  const t1 = performance.now();
  let selected = 0;
  let changed = 0;
  docs.forEach((d, i) => {
    const { counts } = resampleDocument(texts[i], d, scores[i], p, EDIT, createRng(i + 1));
    selected += counts.selected;
    changed += counts.changed;
  });
  const t2 = performance.now();
  if (seen !== expected.length) mismatches++;
  expected = null;
  const seconds = (t2 - t0) / 1000;
  // scoreSeconds = forwardSeconds (transformers.js + onnxruntime) + read-out (readout.ts).
  return { seconds, scoreSeconds: (t1 - t0) / 1000, forwardSeconds: forwardMs / 1000, editSeconds: (t2 - t1) / 1000, cpuSeconds: cpuSeconds(c0), tokensPerSecond: scoredTokens / seconds, selected, changed };
}

const session = await ort.InferenceSession.create(ONNX_FILE, { executionProviders: ['cpu'] }); // as transformers.js creates it
const pastNames = session.inputNames.filter((n) => n.startsWith('past_key_values.'));
const config = JSON.parse(readFileSync(join(MODEL, 'config.json'), 'utf8')) as { n_head: number; n_embd: number };
const heads = config.n_head;
const headSize = config.n_embd / heads;

function feeds(b: Batch): Record<string, ort.Tensor> {
  const f: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', b.ids, [b.rows, b.width]),
    attention_mask: new ort.Tensor('int64', b.mask, [b.rows, b.width]),
  };
  for (const n of pastNames) f[n] = new ort.Tensor('float32', new Float32Array(0), [b.rows, heads, 0, headSize]);
  return f;
}
const ortFeeds = new Map(BATCH_SIZES.map((b) => [b, batches.get(b)!.map(feeds)]));

async function bareOrt(batchSize: number) {
  const all = ortFeeds.get(batchSize)!;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (const f of all) await session.run(f);
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, cpuSeconds: cpuSeconds(c0), tokensPerSecond: scoredTokens / seconds };
}

async function generation() {
  const prompts = docs.slice(0, GEN.batch).map((d) => d.ids.slice(0, GEN.promptTokens));
  const p = priors.get(16) ?? prior;
  const rngs = prompts.map((_, i) => createRng(1000 + i));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const s = await p.beginDecoding(prompts);
  const generated = prompts.map(() => [] as number[]);
  for (let step = 0; step < GEN.newTokens; step++) {
    const dists = await s.next();
    const chosen = dists.map((dist, r) => dist.sample(rngs[r], GEN.sampling));
    chosen.forEach((t, r) => generated[r].push(t));
    if (step + 1 < GEN.newTokens) await s.push(chosen);
  }
  await s.close();
  const seconds = (performance.now() - t0) / 1000;
  const newTokens = prompts.length * GEN.newTokens;
  return { seconds, cpuSeconds: cpuSeconds(c0), newTokens, tokensPerSecond: newTokens / seconds, firstTokens: generated[0].slice(0, 8) };
}

// The batches for PyTorch, written once.
const work = mkdtempSync(join(tmpdir(), 'tailguard-bench-'));
const batchFile = join(work, 'batches.json');
writeFileSync(batchFile, JSON.stringify({
  onnx: resolve(ONNX_FILE),
  batches: Object.fromEntries(BATCH_SIZES.map((b) => [b, batches.get(b)!.map((x) => ({ rows: x.rows, width: x.width, ids: Array.from(x.ids, Number), mask: Array.from(x.mask, Number) }))])),
}));

interface TorchResult {
  torch: string;
  threads: number;
  weights: string;
  checkpointVsOnnxMaxEmbeddingDiff?: number | null;
  /** The BLAS libraries the Python process mapped: Debian's reference libblas makes PyTorch ~25x slower. */
  blas: string[];
  batchSizes: Record<string, { batches: number; seconds: number; cpuSeconds: number }>;
  check: { top1Ids: number[]; top1LogProbs: number[] };
  peakRssMB: number;
}
async function pytorch(): Promise<TorchResult> {
  const { stdout } = await promisify(execFile)(python, ['tools/model/bench_torch.py', '--batches', batchFile, '--topk', String(TOP_K)], { maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as TorchResult;
}

// ---------------------------------------------------------------------------------------------
// Warm-up (untimed): one small scoring call per prior, one batch through the bare session; the
// first batch's top-1 from onnxruntime is kept to cross-check PyTorch.

for (const p of priors.values()) await p.score([docs[0]], { topK: TOP_K });
const firstBatch = batches.get(BATCH_SIZES[0])![0];
const warm = await session.run(feeds(firstBatch));
const warmLogits = warm.logits.data as Float32Array;
const vocab = prior.identity.vocabSize;
const ortTop1 = Array.from({ length: 8 }, (_, i) => {
  let best = 0;
  for (let v = 1; v < vocab; v++) if (warmLogits[i * vocab + v] > warmLogits[i * vocab + best]) best = v;
  return { id: best, logProb: warmLogits[i * vocab + best] };
});
const rssAfterWarmUpMB = Math.round(process.memoryUsage().rss / 2 ** 20);

console.error(`${docs.length} documents, ${scoredTokens} scored tokens; context ${context}, stride ${stride}; load ${load().join(' ')}`);

/** Two measurements of one case as one: times averaged, throughput from the mean time. */
function meanOfPair<T extends { seconds: number; tokensPerSecond: number }>(a: T, b: T): T {
  const mean = { ...a };
  for (const key of Object.keys(a) as (keyof T)[]) {
    if (typeof a[key] === 'number' && key !== 'tokensPerSecond') (mean[key] as number) = ((a[key] as number) + (b[key] as number)) / 2;
  }
  mean.tokensPerSecond = scoredTokens / mean.seconds;
  return mean;
}

const samples: Record<string, unknown>[] = [];
let torchCheck: { maxTop1LogProbDiff: number; top1IdsEqual: boolean } | null = null;
let torchInfo: Omit<TorchResult, 'batchSizes' | 'check' | 'peakRssMB'> | null = null;
for (let run = 0; run < runs; run++) {
  const loadBefore = load();
  const sample: Record<string, unknown> = { run, loadBefore };
  for (const b of BATCH_SIZES) {
    // A B B A: a drift in the machine's speed during the run (other tenants, clocks) cancels out
    // of the ratio instead of favouring whichever case goes first.
    const tg1 = await tailguard(b);
    const ort1 = await bareOrt(b);
    const ort2 = await bareOrt(b);
    const tg2 = await tailguard(b);
    sample[`tailguard${b}`] = meanOfPair(tg1, tg2);
    sample[`ort${b}`] = meanOfPair(ort1, ort2);
  }
  if (!skipTorch) {
    const t = await pytorch();
    const { batchSizes, check, peakRssMB, ...info } = t;
    torchInfo = info;
    torchCheck = {
      top1IdsEqual: check.top1Ids.every((id, i) => id === ortTop1[i].id),
      maxTop1LogProbDiff: Math.max(...check.top1LogProbs.map((lp, i) => Math.abs(lp - ortTop1[i].logProb))),
    };
    for (const b of BATCH_SIZES) {
      const r = batchSizes[String(b)];
      sample[`torch${b}`] = { seconds: r.seconds, cpuSeconds: r.cpuSeconds, tokensPerSecond: scoredTokens / r.seconds };
    }
    sample.torchPeakRssMB = peakRssMB;
  }
  sample.generation = await generation();
  for (const b of BATCH_SIZES) {
    const tg = sample[`tailguard${b}`] as { seconds: number; cpuSeconds: number };
    const o = sample[`ort${b}`] as { seconds: number; cpuSeconds: number };
    sample[`ratioOrt${b}`] = o.seconds / tg.seconds; // Tailguard tokens/s over bare ORT tokens/s
    sample[`ratioOrtCpu${b}`] = o.cpuSeconds / tg.cpuSeconds;
    const t = sample[`torch${b}`] as { seconds: number; cpuSeconds: number } | undefined;
    if (t) {
      sample[`ratioTorch${b}`] = t.seconds / tg.seconds;
      sample[`ratioTorchCpu${b}`] = t.cpuSeconds / tg.cpuSeconds;
    }
  }
  sample.loadAfter = load();
  samples.push(sample);
  const r = (k: string): string => (typeof sample[k] === 'number' ? (sample[k] as number).toFixed(2) : '-');
  console.error(`run ${run + 1}/${runs}: ratios vs ORT ${BATCH_SIZES.map((b) => r(`ratioOrt${b}`)).join(' / ')}, vs PyTorch ${BATCH_SIZES.map((b) => r(`ratioTorch${b}`)).join(' / ')}; load ${loadBefore.join(' ')} -> ${(sample.loadAfter as number[]).join(' ')}`);
}
rmSync(work, { recursive: true, force: true });
const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);

// ---------------------------------------------------------------------------------------------
// Medians, JSON and the table.

const pick = (key: string, field: string): number[] => samples.map((s) => (s[key] as Record<string, number> | undefined)?.[field]).filter((x): x is number => typeof x === 'number');
const nums = (key: string): number[] => samples.map((s) => s[key]).filter((x): x is number => typeof x === 'number');
const med = (xs: number[]): number | null => (xs.length > 0 ? median(xs) : null);

const rows = BATCH_SIZES.map((b) => ({
  batchSize: b,
  sequenceLength: context,
  batches: batches.get(b)!.length,
  scoredTokens,
  positions: positions(batches.get(b)!),
  realPositions: realPositions(batches.get(b)!),
  tailguardTokensPerSecond: med(pick(`tailguard${b}`, 'tokensPerSecond')),
  tailguardScoreSeconds: med(pick(`tailguard${b}`, 'scoreSeconds')),
  tailguardForwardSeconds: med(pick(`tailguard${b}`, 'forwardSeconds')),
  tailguardEditSeconds: med(pick(`tailguard${b}`, 'editSeconds')),
  ortSeconds: med(pick(`ort${b}`, 'seconds')),
  ortTokensPerSecond: med(pick(`ort${b}`, 'tokensPerSecond')),
  torchTokensPerSecond: med(pick(`torch${b}`, 'tokensPerSecond')),
  ratioTailguardOverOrt: med(nums(`ratioOrt${b}`)),
  ratioTailguardOverTorch: med(nums(`ratioTorch${b}`)),
  ratioTailguardOverOrtPerCpuSecond: med(nums(`ratioOrtCpu${b}`)),
  ratioTailguardOverTorchPerCpuSecond: med(nums(`ratioTorchCpu${b}`)),
}));
const gen = {
  batch: GEN.batch,
  promptTokens: GEN.promptTokens,
  newTokensPerSequence: GEN.newTokens,
  sampling: GEN.sampling,
  newTokensPerSecond: med(pick('generation', 'tokensPerSecond')),
  newTokensPerCpuSecond: med(samples.map((s) => s.generation as { newTokens: number; cpuSeconds: number }).map((g) => g.newTokens / g.cpuSeconds)),
};
const edits = samples[0][`tailguard${BATCH_SIZES[0]}`] as { selected: number; changed: number };
const result = {
  date: new Date().toISOString(),
  node: process.version,
  onnxruntimeNode: (JSON.parse(readFileSync(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'), 'utf8')) as { version: string }).version,
  cpus: cpus().length,
  runs,
  documents: docs.length,
  limitedTo: limit > 0 ? limit : null,
  model: { name: prior.identity.name, sha256: prior.identity.sha256, context, stride },
  edit: { ...EDIT, selected: edits.selected, changed: edits.changed },
  batchesMatchPrior: mismatches === 0,
  pytorch: torchInfo ? { ...torchInfo, crossCheckWithOrt: torchCheck } : null,
  scoring: rows,
  generation: gen,
  peakRssMB: { node: peakRssMB, nodeAfterLoadAndWarmUp: rssAfterWarmUpMB, python: med(nums('torchPeakRssMB')) },
  samples,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/transformers.json', JSON.stringify(result, null, 2) + '\n');

const f0 = (x: number | null): string => (x === null ? '-' : Math.round(x).toString());
const f2 = (x: number | null): string => (x === null ? '-' : x.toFixed(2));
console.log(`transformers.js prior vs bare onnxruntime-node vs PyTorch eager, medians of ${runs} runs (bench/results/transformers.json)`);
console.log(`${docs.length} held-out documents, ${scoredTokens} scored tokens, windows of ${context} advancing by ${stride}; top-${TOP_K}; batches match the prior's: ${mismatches === 0 ? 'yes' : 'NO'}`);
console.log('batch  seq len  batches  positions  scored tokens  Tailguard tok/s  bare ORT tok/s  PyTorch tok/s  TG/ORT  TG/PyTorch');
for (const r of rows) {
  console.log(`${String(r.batchSize).padStart(5)}  ${String(r.sequenceLength).padStart(7)}  ${String(r.batches).padStart(7)}  ${String(r.positions).padStart(9)}  ${String(r.scoredTokens).padStart(13)}  ` +
    `${f0(r.tailguardTokensPerSecond).padStart(15)}  ${f0(r.ortTokensPerSecond).padStart(14)}  ${f0(r.torchTokensPerSecond).padStart(13)}  ${f2(r.ratioTailguardOverOrt).padStart(6)}  ${f2(r.ratioTailguardOverTorch).padStart(10)}`);
}
console.log(`generation: batch ${gen.batch}, ${gen.promptTokens}-token prompts, ${gen.newTokensPerSequence} new tokens each: ${f0(gen.newTokensPerSecond)} new tokens/s (${f0(gen.newTokensPerCpuSecond)} per CPU-second)`);
console.log(`peak RSS: Node ${peakRssMB} MB (two priors and one bare session loaded; ${rssAfterWarmUpMB} MB after loading and warm-up), Python ${f0(result.peakRssMB.python)} MB`);
if (torchCheck) console.log(`PyTorch vs ORT on the first batch: top-1 ids equal ${torchCheck.top1IdsEqual}, max log-prob diff ${torchCheck.maxTop1LogProbDiff.toExponential(1)} (weights: ${torchInfo?.weights})`);

for (const p of priors.values()) await p.dispose();
