import type { Rng } from '../random.js';
import { type CountTable, contextKey, contextRange, countNGrams, lowerBound } from './counts.js';
import type { Corpus, Doc } from './data.js';

/**
 * Unsmoothed maximum-likelihood n-gram model (Seddik et al. 2024): after a context, a word has
 * probability count(context, word) / count(context), so a word a context never produced is gone
 * for good: the absorbing states of recursive training. A context never seen at all falls back
 * to the longest shorter context that was seen (down to the unigram counts), which is also how
 * sampling continues after a context that only ended documents.
 */
export class MleModel {
  /** tables[n - 1]: n-gram counts of order n, documents padded with `<s>`. */
  readonly tables: CountTable[];

  constructor(
    corpus: Corpus,
    readonly order: number,
    base: number,
  ) {
    this.tables = Array.from({ length: order }, (_, k) => countNGrams(corpus, k + 1, base, true));
  }

  /** The table and run of the longest seen context of doc[i]. */
  private run(doc: ArrayLike<number>, i: number): [CountTable, number, number] {
    for (let n = this.order; n > 1; n--) {
      const table = this.tables[n - 1];
      const [start, end] = contextRange(table, contextKey(table, doc, i));
      if (start < end) return [table, start, end];
    }
    const unigrams = this.tables[0];
    return [unigrams, 0, unigrams.keys.length];
  }

  prob(doc: Doc, i: number): number {
    const [table, start, end] = this.run(doc, i);
    const key = contextKey(table, doc, i) * table.base + doc[i];
    const j = lowerBound(table.keys, key, start, end);
    return j < end && table.keys[j] === key ? table.counts[j] / (table.cum[end] - table.cum[start]) : 0;
  }

  sampleDoc(length: number, rng: Rng, temperature: number): Doc {
    const out = new Int32Array(length);
    for (let i = 0; i < length; i++) {
      const [table, start, end] = this.run(out, i);
      const j = temperature === 1 ? drawFromRun(table.cum, start, end, rng) : drawTempered(table.counts, start, end, 1 / temperature, rng);
      out[i] = table.keys[j] % table.base;
    }
    return out;
  }
}

/** An index j in [start, end) with probability counts[j] / (cum[end] - cum[start]), by binary search on `cum`. */
export function drawFromRun(cum: Float64Array, start: number, end: number, rng: Rng): number {
  const u = cum[start] + rng.next() * (cum[end] - cum[start]);
  let lo = start;
  let hi = end - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid + 1] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** As drawFromRun with weights count^(1/T): a pass over the run, only used away from T = 1. */
function drawTempered(counts: Int32Array, start: number, end: number, invT: number, rng: Rng): number {
  let total = 0;
  for (let j = start; j < end; j++) total += Math.pow(counts[j], invT);
  let u = rng.next() * total;
  for (let j = start; j < end; j++) if ((u -= Math.pow(counts[j], invT)) < 0) return j;
  return end - 1;
}

/**
 * One generation of Seddik's chain for a single context: n draws from the empirical distribution
 * `counts` / total, returned as new counts. The same draw as `MleModel.sampleDoc`.
 */
export function resampleCounts(counts: Int32Array, n: number, rng: Rng): Int32Array {
  const cum = new Float64Array(counts.length + 1);
  for (let j = 0; j < counts.length; j++) cum[j + 1] = cum[j] + counts[j];
  const next = new Int32Array(counts.length);
  for (let t = 0; t < n; t++) next[drawFromRun(cum, 0, counts.length, rng)]++;
  return next;
}

/** Σ p² of the distribution counts / total: 1 for a collapsed (one-hot) context. */
export function sumSquares(counts: ArrayLike<number>): number {
  let total = 0;
  let sq = 0;
  for (let j = 0; j < counts.length; j++) {
    total += counts[j];
    sq += counts[j] * counts[j];
  }
  return total > 0 ? sq / (total * total) : 0;
}
