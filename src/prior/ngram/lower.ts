import type { BackoffTables } from './backoff.js';
import { ContextCache } from './context-cache.js';
import { BOS, UNK } from './vocabulary.js';

/**
 * The distribution one level below the top, q = p_{order-2}, after a context, summarised for
 * scoring (`score.ts`) and top-k (`top-k.ts`). Scoring a position combines the top level's
 * followers (usually few) with q: p(w) = a(w) + γ · q(w). q depends only on the last order-2
 * words, so there are few distinct ones and they recur constantly: each is built once, cached,
 * and then rank, entropy and top-k cost binary searches instead of a pass over the vocabulary.
 */
export interface LowerStats {
  /** Touched ids ascending and their q. */
  ids: Int32Array;
  vals: Float64Array;
  /** Back-off weights of the seen levels, bottom up; untouched ids have q = γ_top·(…·(γ_1·p1)). */
  gammas: number[];
  g: number;
  /** Touched ids by q descending (ties by id), their q, and touched p1 values descending. */
  descIds: Int32Array;
  descVals: Float64Array;
  descP1: Float64Array;
  entropy: number;
  /** Σ q (log q)². */
  secondMoment: number;
  /** The first HEAD emittable ids in descending q and their q: most top-k requests end there. */
  head: Int32Array;
  headVals: Float64Array;
}

/** Lower distributions kept in the cache before it is emptied. */
const LOWER_CACHE = 50_000;
/** Emittable ids of each lower distribution kept in descending order, for top-k. */
const HEAD = 48;

/**
 * Lower distributions by the longest seen suffix of their context, one cache per model (see
 * ContextCache); the budget counts distributions.
 */
export class LowerCache extends ContextCache<LowerStats> {
  constructor(kn: BackoffTables) {
    const top = kn.order - 2;
    super(kn, top, LOWER_CACHE, (nodes) => buildLower(kn, nodes, top), () => 1);
  }
}

function buildLower(kn: BackoffTables, nodes: Int32Array, top: number): LowerStats {
  const gammas: number[] = [];
  for (let k = 1; k <= top; k++) if (nodes[k] >= 0) gammas.push(kn.levels[k].gamma[nodes[k]]);
  kn.accumulate(nodes, Math.max(0, top));
  const ids = kn.touched.slice(0, kn.nTouched).sort();
  const vals = Float64Array.from(ids, (w) => {
    let p = kn.p1[w];
    for (let k = 1; k <= top; k++) {
      const g = nodes[k];
      if (g < 0) continue;
      const level = kn.levels[k];
      const j = level.follower(g, w);
      p = (j >= 0 ? level.discounted(g, j) : 0) + level.gamma[g] * p;
    }
    return p;
  });
  const g = gammas.reduce((a, b) => a * b, 1);
  const byValue = Array.from(ids.keys()).sort((a, b) => vals[b] - vals[a] || ids[a] - ids[b]);
  const stats: LowerStats = {
    ids,
    vals,
    gammas,
    g,
    descIds: Int32Array.from(byValue, (j) => ids[j]),
    descVals: Float64Array.from(byValue, (j) => vals[j]),
    descP1: Float64Array.from(ids, (w) => kn.p1[w]).sort().reverse(),
    entropy: 0,
    secondMoment: 0,
    head: new Int32Array(0),
    headVals: new Float64Array(0),
  };
  stats.entropy = lowerEntropy(kn, stats);
  stats.secondMoment = lowerSecondMoment(kn, stats);
  [stats.head, stats.headVals] = lowerHead(kn, stats, HEAD);
  return stats;
}

/** q(w) of a lower distribution, by the same nested recursion as `probOf`. */
export function q(p1: Float64Array, L: LowerStats, w: number): number {
  const j = findId(L.ids, w);
  if (j >= 0) return L.vals[j];
  let p = p1[w];
  for (const g of L.gammas) p = g * p;
  return p;
}

/** Number of ids with q(w) > t; untouched ids compare in p1 space against `tP1`. */
export function countQAbove(kn: BackoffTables, L: LowerStats, t: number, tP1: number): number {
  return countAbove(L.descVals, t) + countAbove(kn.sortedP1, tP1) - countAbove(L.descP1, tP1);
}

function lowerEntropy(kn: BackoffTables, L: LowerStats): number {
  // Untouched ids hold g·p1 (up to rounding); correct for the touched ones.
  const { g } = L;
  let s = g * kn.sumP1LogP1 + g * Math.log(g);
  L.ids.forEach((w, j) => {
    const dense = g * kn.p1[w];
    if (dense > 0) s -= dense * Math.log(dense);
    if (L.vals[j] > 0) s += L.vals[j] * Math.log(L.vals[j]);
  });
  return -s;
}

/** Σ q (log q)² of a lower distribution, corrected for the touched ids as lowerEntropy is. */
function lowerSecondMoment(kn: BackoffTables, L: LowerStats): number {
  const { g } = L;
  const lg = Math.log(g);
  // Untouched: Σ g·p1 (log g + log p1)², expanded with Σ p1 = 1.
  let m = g * (lg * lg + 2 * lg * kn.sumP1LogP1 + kn.sumP1LogP1Sq);
  L.ids.forEach((w, j) => {
    const dense = g * kn.p1[w];
    if (dense > 0) m -= dense * Math.log(dense) ** 2;
    if (L.vals[j] > 0) m += L.vals[j] * Math.log(L.vals[j]) ** 2;
  });
  return m;
}

/**
 * Visit the emittable ids of a lower distribution in descending q (ties by id), merging the
 * touched ids with the dense p1 order, until `visit` returns false.
 */
export function walkQ(kn: BackoffTables, L: LowerStats, visit: (id: number, q: number) => boolean): void {
  const { sortedIds, p1 } = kn;
  let a = 0;
  let b = 0;
  const n = L.descIds.length;
  while (a < n || b < sortedIds.length) {
    let dense = b < sortedIds.length ? sortedIds[b] : -1;
    while (dense >= 0 && findId(L.ids, dense) >= 0) dense = ++b < sortedIds.length ? sortedIds[b] : -1;
    const dv = dense >= 0 ? q(p1, L, dense) : -1;
    const tv = a < n ? L.descVals[a] : -1;
    if (tv < 0 && dv < 0) return;
    const takeTouched = tv > dv || (tv === dv && L.descIds[a] < dense);
    const id = takeTouched ? L.descIds[a++] : sortedIds[b++];
    if (id !== UNK && id !== BOS && !visit(id, takeTouched ? tv : dv)) return;
  }
}

/** The first `m` emittable ids of a lower distribution in descending q. */
function lowerHead(kn: BackoffTables, L: LowerStats, m: number): [Int32Array, Float64Array] {
  const ids: number[] = [];
  const vals: number[] = [];
  walkQ(kn, L, (id, q) => {
    ids.push(id);
    vals.push(q);
    return ids.length < m;
  });
  return [Int32Array.from(ids), Float64Array.from(vals)];
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

/** Number of leading entries of a descending array strictly greater than `x`. */
export function countAbove(desc: Float64Array, x: number): number {
  let lo = 0;
  let hi = desc.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (desc[mid] > x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
