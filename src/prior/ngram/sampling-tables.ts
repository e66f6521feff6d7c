import type { BackoffTables } from './backoff.js';
import { ContextCache } from './context-cache.js';
import { pick } from './context-index.js';

/**
 * What pure sampling after one context needs, precomputed. A draw subtracts weights from
 * u = r · (S + g) in the order `accumulate` touches ids (the context's own followers first, then
 * the level below's): the first id that takes u below 0 is drawn, else the dense part g · p1.
 * These tables let a draw find that id by binary searches on prefix sums instead of walking, and
 * `pure-draw.ts` checks that the answer cannot differ from the walk's (see `slack`).
 */
export interface SamplingTable {
  /** The context's own followers in touched order (the first n entries) and prefix sums of their summed weights s(w). */
  n: number;
  ids: Int32Array;
  cum: Float64Array;
  /** Σ s over every touched id: exact when `lower` is null, else an estimate within `slack`. */
  sparseMass: number;
  /** Weight of the dense part. */
  g: number;
  /**
   * Bound on the rounding error of every sum these tables hold against the walk's own
   * left-to-right subtractions (and of the estimate of sparseMass), generous by a factor of two.
   */
  slack: number;
  /** The one-word context's followers after the own ones, read from prefix sums (null: walked from `accumulate`). */
  lower: LowerRun | null;
}

/**
 * The followers of a one-word context group (level 1) that the top context has not touched, as
 * the walk meets them: positions start..end of the level's columns in id order, each weighing
 * (c - D) · inv. Prefix sums over the whole group (GroupPrefix) minus those of the excluded
 * positions (the top context's own followers) give the walk's running total at any position.
 */
export interface LowerRun {
  /** The level's follower column (shared, not copied). */
  words: Int32Array;
  start: number;
  end: number;
  inv: number;
  /** The first `nExcluded` entries: ascending positions and the prefix sums of their (c - D). */
  nExcluded: number;
  excluded: Int32Array;
  excludedCum: Float64Array;
}

/** Table entries kept before the cache is emptied (bounded by the model's n-grams in practice). */
const TABLE_ENTRIES = 4_000_000;

/** 2^-52: twice the unit roundoff of a double, so `slack` is a bound with room to spare. */
const EPS = 2 ** -52;

/**
 * Sampling tables by the longest seen context. A one-word context needs nothing built (its
 * followers are read from the level's prefix sums), nor does a two-word context with few
 * followers, which generated text mostly meets once: both are filled on each draw into one
 * reused scratch table, a few binary searches, cheaper than the garbage of a table per context
 * (a third of generation's time). Other contexts' tables are built once and cached (see
 * ContextCache; the budget counts table entries).
 */
export class SamplingTables extends ContextCache<SamplingTable> {
  /** Per level-1 entry, Σ (c - D) from its group's start up to it (one pass when the model opens). */
  readonly groupPrefix: Float64Array;
  private readonly scratch: FastTable | null;

  constructor(private readonly model: BackoffTables) {
    const prefix = model.order >= 2 ? groupPrefix(model) : new Float64Array(0);
    super(model, model.order - 1, TABLE_ENTRIES, (nodes) => (topSeen(model, nodes) === 2 ? new FastTable(model, prefix, groupSize(model, nodes)).fill(nodes) : exactTable(model, nodes)), (table) => table.n + 1);
    this.groupPrefix = prefix;
    this.scratch = model.order >= 2 ? new FastTable(model, prefix, SCRATCH) : null;
  }

  override get(nodes: Int32Array): SamplingTable {
    const top = topSeen(this.model, nodes);
    if (top === 1) return this.scratch!.fillOneWord(nodes[1]);
    return top === 2 && groupSize(this.model, nodes) <= SCRATCH ? this.scratch!.fill(nodes) : super.get(nodes);
  }
}

/** Two-word contexts with at most this many followers are not cached. */
const SCRATCH = 32;

/** The level of the longest seen context (0: none). */
function topSeen(kn: BackoffTables, nodes: Int32Array): number {
  for (let k = kn.order - 1; k >= 1; k--) if (nodes[k] >= 0) return k;
  return 0;
}

/** Followers of the two-word context of `nodes`. */
function groupSize(kn: BackoffTables, nodes: Int32Array): number {
  const l2 = kn.levels[2];
  return l2.start[nodes[2] + 1] - l2.start[nodes[2]];
}

/**
 * Every touched id's weight summed exactly as `accumulate` loads it, and the own followers
 * (those of the longest seen context) with their prefix sums: what a context with at most one
 * seen level needs, and the fallback of a draw that the fast tables cannot settle.
 */
export function exactTable(kn: BackoffTables, nodes: Int32Array): SamplingTable & { weights: Float64Array } {
  const g = kn.accumulate(nodes);
  const { acc, touched, nTouched, nFirst } = kn;
  let sparseMass = 0;
  for (let t = 0; t < nTouched; t++) sparseMass += acc[touched[t]];
  const ids = touched.slice(0, nFirst);
  const weights = new Float64Array(nFirst);
  const cum = new Float64Array(nFirst);
  let sum = 0;
  for (let t = 0; t < nFirst; t++) cum[t] = sum += weights[t] = acc[ids[t]];
  return { n: nFirst, ids, weights, cum, sparseMass, g, slack: (4 * nTouched + 32) * EPS, lower: null };
}

/**
 * The table of a seen two-word context (level 2) over its one-word suffix (level 1), or of a
 * one-word context alone: the own followers' weights a2 + a1 exactly as `accumulate` sums them,
 * found by binary search in the level-1 group instead of loading all of its followers, and Σ s
 * estimated from the group's prefix sums; the draw checks the estimate's slack (pure-draw.ts).
 */
class FastTable implements SamplingTable {
  n = 0;
  readonly ids: Int32Array;
  readonly cum: Float64Array;
  sparseMass = 0;
  g = 1;
  slack = 0;
  readonly lower: LowerRun;

  constructor(
    private readonly kn: BackoffTables,
    private readonly prefix: Float64Array,
    /** Most own followers it can hold. */
    size: number,
  ) {
    this.ids = new Int32Array(size);
    this.cum = new Float64Array(size);
    this.lower = { words: kn.levels[1].words, start: 0, end: 0, inv: 0, nExcluded: 0, excluded: new Int32Array(size), excludedCum: new Float64Array(size) };
  }

  fill(nodes: Int32Array): SamplingTable {
    const l2 = this.kn.levels[2];
    const l1 = this.kn.levels[1];
    const g2 = nodes[2];
    const g1 = nodes[1];
    const inv2 = 1 / l2.total[g2];
    const scale = 1 * l2.gamma[g2];
    const inv1 = scale / l1.total[g1];
    const { ids, cum, lower } = this;
    const { excluded, excludedCum } = lower;
    let n = 0;
    let x = 0;
    let ownSum = 0;
    let sum = 0;
    // Both follower lists ascend: each search starts past the previous find.
    let from = l1.start[g1];
    const to = l1.start[g1 + 1];
    for (let j = l2.start[g2]; j < l2.start[g2 + 1]; j++) {
      const c2 = l2.counts[j];
      const add2 = (c2 - pick(l2.discount, c2)) * inv2;
      if (add2 <= 0) continue; // untouched at this level: the walk meets it among level 1's
      const w = l2.words[j];
      const p = findFrom(l1.words, from, to, w);
      if (p >= 0) from = p + 1;
      let acc = add2;
      if (p >= 0) {
        const c1 = l1.counts[p];
        const num1 = c1 - pick(l1.discount, c1);
        const add1 = num1 * inv1;
        if (add1 > 0) acc += add1;
        excluded[x] = p;
        excludedCum[x++] = sum += num1;
      }
      ids[n] = w;
      cum[n++] = ownSum += acc;
    }
    lower.start = l1.start[g1];
    lower.end = l1.start[g1 + 1];
    lower.inv = inv1;
    lower.nExcluded = x;
    this.n = n;
    this.sparseMass = ownSum + inv1 * (this.prefix[lower.end - 1] - sum);
    this.g = scale * l1.gamma[g1];
    this.slack = (4 * (n + lower.end - lower.start) + 32) * EPS;
    return this;
  }

  /**
   * A seen one-word context with no longer one seen: no own followers before the run, which is
   * the whole group (thousands of followers after a common word), read from the prefix sums
   * without building anything.
   */
  fillOneWord(g1: number): SamplingTable {
    const l1 = this.kn.levels[1];
    const lower = this.lower;
    lower.start = l1.start[g1];
    lower.end = l1.start[g1 + 1];
    lower.inv = 1 / l1.total[g1];
    lower.nExcluded = 0;
    this.n = 0;
    this.sparseMass = lower.inv * this.prefix[lower.end - 1];
    this.g = 1 * l1.gamma[g1];
    this.slack = (4 * (lower.end - lower.start) + 32) * EPS;
    return this;
  }
}

/** Σ (c - D) from each level-1 group's start up to each entry. */
function groupPrefix(kn: BackoffTables): Float64Array {
  const l1 = kn.levels[1];
  const out = new Float64Array(l1.words.length);
  for (let g = 0; g < l1.groups; g++) {
    let s = 0;
    for (let j = l1.start[g]; j < l1.start[g + 1]; j++) out[j] = s += l1.counts[j] - pick(l1.discount, l1.counts[j]);
  }
  return out;
}

/** Index of x in the ascending words[from, to), or -1. */
function findFrom(words: Int32Array, from: number, to: number, x: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (words[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < to && words[lo] === x ? lo : -1;
}
