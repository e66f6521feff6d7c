import { type GramColumns, continuationCounts } from './grams.js';
import { PairIndex } from './pair-index.js';

/** Modified Kneser-Ney discounts D1, D2, D3+ of one order. */
export type Discounts = [number, number, number];

/**
 * The n-grams of one order grouped by context, as flat typed arrays: group g (a context of `k`
 * words) has the followers words[start[g] .. start[g+1]), ascending, with their counts. The
 * group's total, count-of-counts and back-off weight are precomputed per group.
 *
 * Contexts are found by integer lookups, never by string keys: a 1-word context by a dense array
 * over the vocabulary, a longer one by (group of its (k-1)-word suffix, its first word) in a
 * hash table. Every suffix of a context is itself a context one level down (the lower orders are
 * derived from the higher ones), so the lookup of a history walks up from 1 word and stops at
 * the first unseen level. Keyed by strings, building these groups was a tenth of a 1.2M-token
 * run and looking them up most of the scoring time (issue 22's profile).
 */
export class ContextLevel {
  /** Words of context (0 for the unigram level, whose single group is the empty context). */
  readonly k: number;
  readonly words: Int32Array;
  readonly counts: Int32Array;
  readonly start: Int32Array;
  readonly total: Int32Array;
  /** Followers seen exactly once, twice, three or more times. */
  readonly n1: Int32Array;
  readonly n2: Int32Array;
  readonly n3: Int32Array;
  readonly discount: Discounts;
  /** The mass the discounts free in each context, handed to the lower order. */
  readonly gamma: Float64Array;
  /** For each group, the column of its first context word (k > 0): what the hash is keyed by. */
  readonly firstWord: Int32Array;
  private readonly byWord: Int32Array | null;
  private readonly byPair: PairIndex | null;

  /** `g`: this order's n-grams in ascending id order; `lower`: the levels of 0 .. k-1 words. */
  constructor(g: GramColumns, lower: readonly ContextLevel[], v: number) {
    const context = g.cols.slice(0, -1);
    this.k = context.length;
    this.words = g.cols[g.cols.length - 1];
    this.counts = g.counts;
    const n = g.counts.length;
    this.start = groupStarts(context, n);
    const groups = this.start.length - 1;
    this.total = new Int32Array(groups);
    this.n1 = new Int32Array(groups);
    this.n2 = new Int32Array(groups);
    this.n3 = new Int32Array(groups);
    for (let gi = 0; gi < groups; gi++) {
      for (let j = this.start[gi]; j < this.start[gi + 1]; j++) {
        const c = this.counts[j];
        this.total[gi] += c;
        if (c === 1) this.n1[gi]++;
        else if (c === 2) this.n2[gi]++;
        else this.n3[gi]++;
      }
    }
    this.discount = discounts(this.counts);
    const [d1, d2, d3] = this.discount;
    this.gamma = new Float64Array(groups);
    for (let gi = 0; gi < groups; gi++) this.gamma[gi] = (d1 * this.n1[gi] + d2 * this.n2[gi] + d3 * this.n3[gi]) / this.total[gi];
    this.firstWord = new Int32Array(this.k > 0 ? groups : 0);
    for (let gi = 0; gi < this.firstWord.length; gi++) this.firstWord[gi] = context[0][this.start[gi]];
    this.byWord = null;
    this.byPair = null;
    if (this.k === 1) {
      this.byWord = new Int32Array(v).fill(-1);
      for (let gi = 0; gi < groups; gi++) this.byWord[this.firstWord[gi]] = gi;
    } else if (this.k > 1) {
      this.byPair = new PairIndex(groups);
      for (let gi = 0; gi < groups; gi++) {
        // The suffix (words 1..k-1) is a context of the level below, found the way lookups walk:
        // its last word at level 1, then one word further back per level.
        let parent = -1;
        for (let j = 1; j < this.k; j++) parent = lower[j].find(parent, context[this.k - j][this.start[gi]]);
        if (parent < 0) throw new Error(`n-gram tables: a context of ${this.k} words has no suffix one level down`);
        this.byPair.set(parent, this.firstWord[gi], gi);
      }
    }
  }

  get groups(): number {
    return this.start.length - 1;
  }

  /**
   * The group of the context (w, …) whose suffix is group `parent` of the level below (-1 when
   * unseen); for k = 1 the group of the one-word context w.
   */
  find(parent: number, w: number): number {
    if (this.byWord) return w >= 0 && w < this.byWord.length ? this.byWord[w] : -1;
    return parent < 0 ? -1 : this.byPair!.get(parent, w);
  }

  /** Index (into words/counts) of follower x in group g, or -1. */
  follower(g: number, x: number): number {
    const words = this.words;
    let lo = this.start[g];
    const end = this.start[g + 1];
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (words[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo < end && words[lo] === x ? lo : -1;
  }

  /** a(x): the discounted count of follower j relative to its context's total. */
  discounted(g: number, j: number): number {
    const c = this.counts[j];
    return Math.max(0, (c - pick(this.discount, c)) / this.total[g]);
  }
}

/** Where each run of equal contexts starts in sorted columns, and n at the end. */
function groupStarts(context: Int32Array[], n: number): Int32Array {
  const starts = new Int32Array(n + 1);
  let groups = 0;
  for (let i = 0; i < n; i++) {
    let same = i > 0;
    for (let j = 0; same && j < context.length; j++) same = context[j][i] === context[j][i - 1];
    if (!same) starts[groups++] = i;
  }
  starts[groups] = n;
  return starts.slice(0, groups + 1);
}

/** Per order (index 0 = unigrams), the n-grams grouped by context; the top order holds raw counts. */
export function contextLevels(top: GramColumns, v: number): ContextLevel[] {
  const grams: GramColumns[] = [top];
  while (grams[0].cols.length > 1) grams.unshift(continuationCounts(grams[0]));
  const levels: ContextLevel[] = [];
  for (const g of grams) levels.push(new ContextLevel(g, levels, v));
  return levels;
}

/** The discount of a follower seen `count` times. */
export function pick(d: Discounts, count: number): number {
  return count === 1 ? d[0] : count === 2 ? d[1] : d[2];
}

/** Modified Kneser-Ney discounts D1, D2, D3+ from the count-of-counts of one order. */
function discounts(counts: Int32Array): Discounts {
  const cc = [0, 0, 0, 0, 0];
  for (const c of counts) if (c <= 4) cc[c]++;
  const [, n1, n2, n3, n4] = cc;
  if (n1 === 0 || n2 === 0 || n3 === 0 || n4 === 0) return [0.5, 1, 1.5]; // too little data to estimate
  const y = n1 / (n1 + 2 * n2);
  const clamp = (d: number, max: number) => Math.min(max, Math.max(0, d));
  return [clamp(1 - (2 * y * n2) / n1, 1), clamp(2 - (3 * y * n3) / n2, 2), clamp(3 - (4 * y * n4) / n3, 3)];
}
