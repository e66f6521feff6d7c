import type { Corpus } from './data.js';

/**
 * The n-grams of one order in a corpus, as sorted numeric keys with counts. A key is the ids in
 * base V (key = x1·V^(n-1) + … + xn), exact in a double while V^n < 2^53 (order ≤ 3 for Brown's
 * 50K types). Since key = context·V + word, the n-grams of one context are one contiguous run:
 * a context's followers are a binary search away, with no map per context.
 */
export interface CountTable {
  order: number;
  base: number;
  /** Distinct n-gram keys, ascending. */
  keys: Float64Array;
  counts: Int32Array;
  /** cum[j] = counts[0] + … + counts[j-1]; cum[keys.length] is the number of n-grams. */
  cum: Float64Array;
}

/**
 * Count the n-grams of `order`. With `pad`, each document is preceded by order - 1 `<s>` (id 0,
 * which adds nothing to a key), so its first words have contexts too (what a model samples
 * from); without, only n-grams inside documents count (what corpus statistics describe).
 */
export function countNGrams(corpus: Corpus, order: number, base: number, pad: boolean): CountTable {
  if (base ** order >= 2 ** 53) throw new RangeError(`countNGrams: order ${order} over ${base} ids overflows a double key`);
  let n = 0;
  for (const d of corpus) n += pad ? d.length : Math.max(0, d.length - order + 1);
  const all = new Float64Array(n);
  let m = 0;
  for (const d of corpus) {
    for (let i = pad ? 0 : order - 1; i < d.length; i++) {
      let key = 0;
      for (let k = order - 1; k >= 0; k--) key = key * base + (i - k >= 0 ? d[i - k] : 0);
      all[m++] = key;
    }
  }
  all.sort();
  let distinct = 0;
  for (let i = 0; i < n; i++) if (i === 0 || all[i] !== all[i - 1]) distinct++;
  const keys = new Float64Array(distinct);
  const counts = new Int32Array(distinct);
  let j = -1;
  for (let i = 0; i < n; i++) {
    if (i === 0 || all[i] !== all[i - 1]) keys[++j] = all[i];
    counts[j]++;
  }
  const cum = new Float64Array(distinct + 1);
  for (let i = 0; i < distinct; i++) cum[i + 1] = cum[i] + counts[i];
  return { order, base, keys, counts, cum };
}

/** The key of the context of doc[i] in `table` (its order - 1 previous ids, `<s>` before the start). */
export function contextKey(table: CountTable, doc: ArrayLike<number>, i: number, order = table.order): number {
  let key = 0;
  for (let k = order - 1; k >= 1; k--) key = key * table.base + (i - k >= 0 ? doc[i - k] : 0);
  return key;
}

/** First index whose key is ≥ `key`. */
export function lowerBound(keys: Float64Array, key: number, lo = 0, hi = keys.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The run [start, end) of n-grams whose context is `ctx` (empty when the context was never seen). */
export function contextRange(table: CountTable, ctx: number): [number, number] {
  const start = lowerBound(table.keys, ctx * table.base);
  return [start, lowerBound(table.keys, (ctx + 1) * table.base, start)];
}

/** Visit every context with the run [start, end) of its n-grams, in key order. */
export function forEachContext(table: CountTable, visit: (ctx: number, start: number, end: number) => void): void {
  const { keys, base } = table;
  let start = 0;
  while (start < keys.length) {
    const ctx = Math.floor(keys[start] / base);
    let end = start + 1;
    while (end < keys.length && Math.floor(keys[end] / base) === ctx) end++;
    visit(ctx, start, end);
    start = end;
  }
}

/**
 * Walk two runs of the same context (sorted by key) side by side: `visit(a, b)` gets the counts
 * of each follower in either run (0 where a run lacks it). The per-context distances (L1, L2²)
 * between two generations' next-word distributions are sums over this walk.
 */
export function forEachFollower(a: CountTable, a0: number, a1: number, b: CountTable, b0: number, b1: number, visit: (ca: number, cb: number) => void): void {
  for (let i = a0, j = b0; i < a1 || j < b1; ) {
    const ki = i < a1 ? a.keys[i] : Infinity;
    const kj = j < b1 ? b.keys[j] : Infinity;
    if (ki === kj) visit(a.counts[i++], b.counts[j++]);
    else if (ki < kj) visit(a.counts[i++], 0);
    else visit(0, b.counts[j++]);
  }
}

/** Σp² of the distribution of the run [start, end): 1 for a one-hot context. */
export function runSumSquares(t: CountTable, start: number, end: number): number {
  const total = t.cum[end] - t.cum[start];
  let s = 0;
  for (let j = start; j < end; j++) s += (t.counts[j] / total) ** 2;
  return s;
}
