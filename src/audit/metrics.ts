import type { CorpusStats } from './corpus-stats.js';
import { firstK } from './first-k.js';
import type { NGramTable } from './ngram-table.js';

/** How many of the most frequent n-grams count as "top" (ToEdit: the top-40 bigrams). */
export const TOP_K = 40;

/** The metrics of one view, derived from its statistics. */
export interface ViewMetrics {
  docs: number;
  tokens: number;
  /** Per order 1..4: distinct n-grams / all n-grams. */
  distinct: number[];
  /** Per order: Shannon entropy of the n-gram distribution in bits, and divided by log2(types). */
  entropy: number[];
  normalizedEntropy: number[];
  /** Per order: share of all n-grams that are one of the TOP_K most frequent. */
  topMass: number[];
  /** Exponent s of the rank-frequency law f ∝ rank^-s, least squares on log-log (ranks 1..1000). */
  zipf: number;
  /** Share of the hashed unigram+bigram mass in the 100 fullest of 10,000 buckets. */
  hashedTop1Percent: number;
  /** Whether any n-gram table overflowed its budget (then the n-gram metrics are approximate). */
  approximate: boolean;
  perplexity: PerplexitySummary | null;
  /** Shares of prior tokens in GLTR rank buckets top-1, top-10, top-100, other. */
  rankShares: number[] | null;
  /** Shares of prior tokens by probability of the actual token, bins [0, 0.1), …, [0.9, 1]. */
  probShares: number[] | null;
}

export interface PerplexitySummary {
  mean: number;
  /** Quantiles 5, 25, 50, 75, 95. */
  quantiles: number[];
  min: number;
  max: number;
}

export function viewMetrics(s: CorpusStats): ViewMetrics {
  const scored = s.priorTokens > 0;
  return {
    docs: s.docs,
    tokens: s.tokens,
    distinct: s.tables.map((t) => (t.total > 0 ? t.size / t.total : 0)),
    entropy: s.tables.map(entropyBits),
    normalizedEntropy: s.tables.map((t) => (t.size > 1 ? entropyBits(t) / Math.log2(t.size) : 0)),
    topMass: s.tables.map((t) => topMass(t, TOP_K)),
    zipf: zipfExponent(s.tables[0]),
    hashedTop1Percent: topShare(s.hashed, Math.ceil(s.hashed.length / 100), s.hashed.reduce((a, b) => a + b, 0)),
    approximate: s.tables.some((t) => t.approximate),
    perplexity: scored ? perplexitySummary(s.docPerplexity) : null,
    rankShares: scored ? s.rankBuckets.map((c) => c / s.priorTokens) : null,
    probShares: scored ? s.probHistogram.map((c) => c / s.priorTokens) : null,
  };
}

function entropyBits(t: NGramTable): number {
  let h = 0;
  for (const c of t.countsInOrder()) {
    const p = c / t.total;
    h -= p * Math.log2(p);
  }
  return h;
}

function topMass(t: NGramTable, k: number): number {
  return topShare(t.countsInOrder(), k, t.total);
}

/** Share of `total` held by the k largest values (integer counts: any order sums them exactly). */
function topShare(values: Iterable<number>, k: number, total: number): number {
  if (total === 0) return 0;
  return firstK(values, k, (a, b) => b - a).reduce((a, b) => a + b, 0) / total;
}

function zipfExponent(unigrams: NGramTable): number {
  const freqs = Array.from(unigrams.countsDescending().subarray(0, 1000));
  if (freqs.length < 2) return 0;
  const xs = freqs.map((_, i) => Math.log(i + 1));
  const ys = freqs.map((f) => Math.log(f));
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i] - my);
    sxx += (x - mx) ** 2;
  });
  return -sxy / sxx;
}

export function perplexitySummary(values: readonly number[]): PerplexitySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return { mean: mean(sorted), quantiles: [0.05, 0.25, 0.5, 0.75, 0.95].map((q) => quantile(sorted, q)), min: sorted[0], max: sorted[sorted.length - 1] };
}

/** Linear-interpolated quantile of an ascending array. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Share of the reference's word types (unigrams) that never occur in this view. */
export function typeLoss(view: CorpusStats, reference: CorpusStats): number {
  const inView = reference.tables[0].countsIn(view.tables[0]);
  if (inView.length === 0) return 0;
  let lost = 0;
  for (const c of inView) if (c === 0) lost++;
  return lost / inView.length;
}
