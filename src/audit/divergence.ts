import { createRng } from '../random.js';
import type { CorpusStats } from './corpus-stats.js';
import { type ViewMetrics, typeLoss, viewMetrics } from './metrics.js';
import type { NGramTable } from './ngram-table.js';

/** Add-α smoothing of n-gram distributions before the Jensen-Shannon divergence. */
export const JSD_ALPHA = 0.5;
const BOOTSTRAP_SAMPLES = 200;

/** How one view differs from the reference view. */
export interface Comparison {
  /** Per order 1..4: Jensen-Shannon divergence in bits (0 = identical, 1 = disjoint). */
  jsd: number[];
  /** Share of the reference's word types absent from the view. */
  typeLoss: number;
  /** Wasserstein-1 and Kolmogorov-Smirnov distances between per-document perplexities. */
  perplexityW1: number | null;
  perplexityKS: number | null;
  /** 95% bootstrap intervals over documents, where cheap: mean perplexity difference and W1. */
  intervals: { meanPerplexityDelta?: [number, number]; perplexityW1?: [number, number] };
  /** view − reference for every scalar metric (per order for the per-order ones). */
  deltas: Record<string, number | number[]>;
}

/** Jensen-Shannon divergence (bits) of two n-gram tables, add-α smoothed over their union. */
export function jensenShannon(a: NGramTable, b: NGramTable, alpha = JSD_ALPHA): number {
  // One lookup per n-gram of a, none for b: b's count of each n-gram of a is looked up once and
  // kept, which gives the size of the union; b's own n-grams are then summed as if absent from a,
  // and the shared ones taken back out. (Three lookups per n-gram of the larger tables before.)
  const inB = a.countsIn(b);
  let shared = 0;
  for (const cb of inB) if (cb > 0) shared++;
  const union = a.size + b.size - shared;
  const za = a.total + alpha * union;
  const zb = b.total + alpha * union;
  const term = (ca: number, cb: number) => {
    const p = (ca + alpha) / za;
    const q = (cb + alpha) / zb;
    const m = (p + q) / 2;
    return 0.5 * (p * Math.log2(p / m) + q * Math.log2(q / m));
  };
  let js = 0;
  let sharedAsAbsent = 0;
  let i = 0;
  for (const ca of a.countsInOrder()) {
    const cb = inB[i++];
    js += term(ca, cb);
    if (cb > 0) sharedAsAbsent += term(0, cb);
  }
  for (const cb of b.countsInOrder()) js += term(0, cb);
  return Math.max(0, js - sharedAsAbsent);
}

/** Wasserstein-1 between two samples: the area between their empirical CDFs. */
export function wasserstein1(a: readonly number[], b: readonly number[]): number {
  return cdfDistance(a, b, (gap, width) => gap * width, (acc, x) => acc + x);
}

/** Kolmogorov-Smirnov statistic: the largest gap between the empirical CDFs. */
export function kolmogorovSmirnov(a: readonly number[], b: readonly number[]): number {
  return cdfDistance(a, b, (gap) => gap, Math.max);
}

function cdfDistance(a: readonly number[], b: readonly number[], term: (gap: number, width: number) => number, fold: (acc: number, x: number) => number): number {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let acc = 0;
  let prev = Math.min(x[0], y[0]);
  while (i < x.length || j < y.length) {
    const next = j >= y.length || (i < x.length && x[i] <= y[j]) ? x[i] : y[j];
    acc = fold(acc, term(Math.abs(i / x.length - j / y.length), next - prev));
    while (i < x.length && x[i] === next) i++;
    while (j < y.length && y[j] === next) j++;
    prev = next;
    acc = fold(acc, term(Math.abs(i / x.length - j / y.length), 0));
  }
  return acc;
}

/** Compare a view with the reference; deterministic (the bootstrap is seeded). */
export function compareViews(reference: CorpusStats, view: CorpusStats, seed = 1): Comparison {
  const ref = viewMetrics(reference);
  const v = viewMetrics(view);
  const a = reference.docPerplexity;
  const b = view.docPerplexity;
  const scored = a.length > 0 && b.length > 0;
  return {
    jsd: view.tables.map((t, i) => jensenShannon(reference.tables[i], t)),
    typeLoss: typeLoss(view, reference),
    perplexityW1: scored ? wasserstein1(a, b) : null,
    perplexityKS: scored ? kolmogorovSmirnov(a, b) : null,
    intervals: scored ? bootstrapIntervals(a, b, seed) : {},
    deltas: deltas(ref, v),
  };
}

function bootstrapIntervals(a: readonly number[], b: readonly number[], seed: number): Comparison['intervals'] {
  const rng = createRng(seed);
  const resample = (xs: readonly number[]) => Array.from(xs, () => xs[Math.floor(rng.next() * xs.length)]);
  const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const dm: number[] = [];
  const w: number[] = [];
  for (let r = 0; r < BOOTSTRAP_SAMPLES; r++) {
    const ra = resample(a);
    const rb = resample(b);
    dm.push(mean(rb) - mean(ra));
    w.push(wasserstein1(ra, rb));
  }
  const ci = (xs: number[]): [number, number] => {
    const s = xs.sort((p, q) => p - q);
    return [s[Math.floor(0.025 * (s.length - 1))], s[Math.ceil(0.975 * (s.length - 1))]];
  };
  return { meanPerplexityDelta: ci(dm), perplexityW1: ci(w) };
}

function deltas(ref: ViewMetrics, v: ViewMetrics): Record<string, number | number[]> {
  const out: Record<string, number | number[]> = {};
  const perOrder = ['distinct', 'entropy', 'normalizedEntropy', 'topMass'] as const;
  for (const key of perOrder) out[key] = v[key].map((x, i) => x - ref[key][i]);
  out.zipf = v.zipf - ref.zipf;
  out.hashedTop1Percent = v.hashedTop1Percent - ref.hashedTop1Percent;
  if (ref.perplexity && v.perplexity) {
    out.meanPerplexity = v.perplexity.mean - ref.perplexity.mean;
    out.medianPerplexity = v.perplexity.quantiles[2] - ref.perplexity.quantiles[2];
  }
  if (ref.rankShares && v.rankShares) out.rankShares = v.rankShares.map((x, i) => x - ref.rankShares![i]);
  return out;
}
