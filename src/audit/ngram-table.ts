import { firstK } from './first-k.js';

/**
 * Counts of the n-grams of one order, mergeable. Exact until `budget` distinct n-grams; past it
 * the n-grams seen once are pruned (their mass is kept in `prunedMass` and the table is marked
 * approximate), so memory stays bounded while the heavy hitters that concentration metrics
 * need stay counted. Two exact tables merge into exactly the table of both inputs.
 */
export interface NGramTableJSON {
  n: number;
  total: number;
  approximate: boolean;
  prunedMass: number;
  /** [n-gram joined by U+241F, count], in first-seen order (see toJSON). */
  counts: [string, number][];
}

export const SEP = '\u241f'; // SYMBOL FOR UNIT SEPARATOR: cannot occur inside a token

/** Larger count first, then the lower key. */
function byCountThenKey(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

export class NGramTable {
  readonly n: number;
  readonly budget: number;
  counts = new Map<string, number>();
  total = 0;
  approximate = false;
  prunedMass = 0;

  constructor(n: number, budget: number) {
    this.n = n;
    this.budget = budget;
  }

  addTokens(tokens: readonly string[]): void {
    const n = this.n;
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = n === 1 ? tokens[i] : tokens.slice(i, i + n).join(SEP);
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      this.total++;
    }
    if (this.counts.size > this.budget) this.prune();
  }

  /** Drop the n-grams seen once; if that is not enough, the ones seen twice, and so on. */
  private prune(): void {
    for (let floor = 1; this.counts.size > this.budget / 2; floor++) {
      for (const [key, c] of this.counts) {
        if (c <= floor) {
          this.counts.delete(key);
          this.prunedMass += c;
        }
      }
    }
    this.approximate = true;
  }

  merge(other: NGramTable): void {
    if (other.n !== this.n) throw new Error(`cannot merge ${other.n}-grams into ${this.n}-grams`);
    for (const [key, c] of other.counts) this.counts.set(key, (this.counts.get(key) ?? 0) + c);
    this.total += other.total;
    this.prunedMass += other.prunedMass;
    this.approximate ||= other.approximate;
    if (this.counts.size > this.budget) this.prune();
  }

  /** Counts, largest first (ties by key). */
  sorted(): [string, number][] {
    return [...this.counts].sort(byCountThenKey);
  }

  /** The first k of sorted(), without sorting the whole table (see firstK). */
  top(k: number): [string, number][] {
    return firstK(this.counts, k, byCountThenKey);
  }

  /** The counts alone, largest first. */
  countsDescending(): Float64Array {
    return Float64Array.from(this.counts.values()).sort().reverse();
  }

  /**
   * Counts in first-seen order: the order of the corpus, so one run and the merge of its shards
   * (absorbed in task order) write the same bytes, and merged sums repeat bit for bit. Sorting
   * them instead cost seconds per run for nobody: only this code reads the files back.
   */
  toJSON(): NGramTableJSON {
    const counts = [...this.counts];
    return { n: this.n, total: this.total, approximate: this.approximate, prunedMass: this.prunedMass, counts };
  }

  static fromJSON(json: NGramTableJSON, budget: number): NGramTable {
    const t = new NGramTable(json.n, budget);
    t.counts = new Map(json.counts);
    t.total = json.total;
    t.approximate = json.approximate;
    t.prunedMass = json.prunedMass;
    return t;
  }
}
