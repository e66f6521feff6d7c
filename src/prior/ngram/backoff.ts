import { type ContextEntry, contextTables, discounts } from './counts.js';
import type { GramColumns } from './grams.js';
import { BOS } from './vocabulary.js';

/** Modified Kneser-Ney discounts D1, D2, D3+ of one order. */
export type Discounts = [number, number, number];

/**
 * The tables of an interpolated modified Kneser-Ney model (Chen & Goodman 1998) and the back-off
 * queries on them. Scoring (`score.ts`), top-k (`top-k.ts`) and sampling (`sample.ts`) read these
 * fields directly: they are public only so that those modules need no accessor in their loops.
 * Nothing outside src/prior/ngram sees this class; `KneserNeyModel` is the public face.
 *
 * The full next-token distribution after a context is
 *   p(w) = s(w) + G · p1(w)
 * where p1 is the interpolated unigram distribution (dense, precomputed, with a uniform floor so
 * every word has probability > 0), G the product of the back-off weights of the seen contexts,
 * and s a sparse sum over the followers of those contexts.
 */
export class BackoffTables {
  readonly order: number;
  /** tables[k]: contexts of k words → followers (k = order - 1 is the top order, raw counts). */
  readonly tables: Map<string, ContextEntry>[];
  readonly discount: Discounts[];
  /** Interpolated unigram probabilities, 0 for `<s>` (never predicted). */
  readonly p1: Float64Array;
  /** Ids by p1 descending (ties by id) and their p1, for ranks and top-k of the dense part. */
  readonly sortedIds: Int32Array;
  readonly sortedP1: Float64Array;
  /** Cumulative p1 in id order, for sampling the dense part by binary search. */
  readonly cumP1: Float64Array;
  readonly sumP1LogP1: number;
  /** Σ p1 (log p1)²: with sumP1LogP1, the moments of log p under the dense part. */
  readonly sumP1LogP1Sq: number;

  // Scratch accumulator for s(w), filled by `accumulate`: dense values, list of touched ids,
  // membership marks. One per model, shared by scoring and sampling (each refills it first).
  readonly acc: Float64Array;
  readonly touched: Int32Array;
  readonly mark: Uint8Array;
  /** Number of valid entries of `touched`; written only by `accumulate`. */
  nTouched = 0;

  /** `top`: the distinct n-grams of the highest order and their counts, in ascending id order. */
  constructor(top: GramColumns, v: number) {
    this.order = top.cols.length;
    this.tables = contextTables(top);
    this.discount = this.tables.map(discounts);
    this.p1 = this.unigram(v);
    this.sortedIds = Int32Array.from({ length: v }, (_, i) => i).sort((a, b) => this.p1[b] - this.p1[a] || a - b);
    this.sortedP1 = Float64Array.from(this.sortedIds, (id) => this.p1[id]);
    this.cumP1 = new Float64Array(v);
    let cum = 0;
    let plogp = 0;
    let plogp2 = 0;
    for (let i = 0; i < v; i++) {
      cum += this.p1[i];
      this.cumP1[i] = cum;
      if (this.p1[i] > 0) {
        const l = Math.log(this.p1[i]);
        plogp += this.p1[i] * l;
        plogp2 += this.p1[i] * l * l;
      }
    }
    this.sumP1LogP1 = plogp;
    this.sumP1LogP1Sq = plogp2;
    this.acc = new Float64Array(v);
    this.touched = new Int32Array(v);
    this.mark = new Uint8Array(v);
  }

  /** Number of distinct n-grams per order. */
  get sizes(): number[] {
    return this.tables.map((t) => [...t.values()].reduce((s, e) => s + e.ids.length, 0));
  }

  private unigram(v: number): Float64Array {
    const entry = this.tables[0].get('');
    const p = new Float64Array(v);
    const floor = 1 / (v - 1); // uniform over every id but <s>
    if (!entry) {
      p.fill(floor);
      p[BOS] = 0;
      return p;
    }
    const d = this.discount[0];
    const gamma = backoffWeight(entry, d);
    for (let i = 0; i < v; i++) p[i] = gamma * floor;
    for (let j = 0; j < entry.ids.length; j++) p[entry.ids[j]] += Math.max(0, entry.counts[j] - pick(d, entry.counts[j])) / entry.total;
    p[BOS] = 0;
    return p;
  }

  /**
   * The context keys before position `end` of `history` (left-padded with `<s>`): keys[k] holds
   * the last k ids, comma-joined; keys[0] is the empty context.
   */
  contextKeys(history: ArrayLike<number>, end: number): string[] {
    const keys: string[] = [''];
    let key = '';
    for (let k = 1; k < this.order; k++) {
      const pos = end - k;
      const id = pos >= 0 ? history[pos] : BOS;
      key = k === 1 ? String(id) : `${id},${key}`;
      keys.push(key);
    }
    return keys;
  }

  /**
   * Load the sparse mass of levels 1..top for the context `keys` into the scratch space (flat
   * sums, for sampling and for collecting touched ids), and return the product of their back-off
   * weights. Valid until the next call.
   */
  accumulate(keys: string[], top = this.order - 1): number {
    for (let t = 0; t < this.nTouched; t++) {
      const id = this.touched[t];
      this.acc[id] = 0;
      this.mark[id] = 0;
    }
    this.nTouched = 0;
    let scale = 1;
    for (let k = top; k >= 1; k--) {
      const entry = this.tables[k].get(keys[k]);
      if (!entry) continue; // unseen context: this level equals the one below
      const d = this.discount[k];
      const inv = scale / entry.total;
      for (let j = 0; j < entry.ids.length; j++) {
        const c = entry.counts[j];
        const add = (c - pick(d, c)) * inv;
        if (add <= 0) continue;
        const id = entry.ids[j];
        if (!this.mark[id]) {
          this.mark[id] = 1;
          this.touched[this.nTouched++] = id;
        }
        this.acc[id] += add;
      }
      scale *= backoffWeight(entry, d);
    }
    return scale;
  }

  /**
   * p(x | context before `end`) by the nested recursion p_k = a_k + γ_k · p_{k-1}, p_0 = p1:
   * O(order · log followers). Scoring uses the same recursion, so values agree to the last bit.
   */
  probOf(history: ArrayLike<number>, end: number, x: number): number {
    const keys = this.contextKeys(history, end);
    let p = this.p1[x];
    for (let k = 1; k < this.order; k++) {
      const entry = this.tables[k].get(keys[k]);
      if (entry) p = discounted(entry, this.discount[k], x) + backoffWeight(entry, this.discount[k]) * p;
    }
    return p;
  }
}

/** Index of `x` in the ascending `ids`, or -1. */
export function findId(ids: Int32Array, x: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < ids.length && ids[lo] === x ? lo : -1;
}

/** a_k(x): the discounted count of x after a context, relative to the context's total. */
export function discounted(e: ContextEntry, d: Discounts, x: number): number {
  const j = findId(e.ids, x);
  if (j < 0) return 0;
  const c = e.counts[j];
  return Math.max(0, (c - pick(d, c)) / e.total);
}

/** The discount of a follower seen `count` times. */
export function pick(d: Discounts, count: number): number {
  return count === 1 ? d[0] : count === 2 ? d[1] : d[2];
}

/** The mass the discounts free in one context, handed to the lower order. */
export function backoffWeight(e: ContextEntry, d: Discounts): number {
  return (d[0] * e.n1 + d[1] * e.n2 + d[2] * e.n3) / e.total;
}
