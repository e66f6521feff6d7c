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
  /** The n-grams (words joined by a space) in first-seen order (see toJSON), and their counts. */
  keys: string[];
  counts: number[];
}

/**
 * A table as statistics files before version 2 held it: [n-gram, count] pairs, words joined by
 * U+241F. Two flat arrays parse, build and print in about half the time, and one-byte keys take
 * half the memory (a sharded run reads every task's tables back).
 */
export interface NGramTableJSONv1 extends Omit<NGramTableJSON, 'keys' | 'counts'> {
  counts: [string, number][];
}

function entriesOf(json: NGramTableJSON | NGramTableJSONv1): { keys: string[]; counts: number[] } {
  if ('keys' in json) return json;
  const pairs = json.counts;
  return { keys: pairs.map((p) => p[0].replaceAll(V1_SEP, SEP)), counts: pairs.map((p) => p[1]) };
}

/**
 * Joins the words of an n-gram key: audit tokens never contain whitespace, and an ASCII separator
 * keeps the keys one-byte strings (U+241F, used before, made every key a two-byte string).
 */
export const SEP = ' ';
const V1_SEP = '\u241f';

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

  /** Fold in a later shard's table, as written by toJSON: shards are merged from their files. */
  merge(other: NGramTableJSON | NGramTableJSONv1): void {
    if (other.n !== this.n) throw new Error(`cannot merge ${other.n}-grams into ${this.n}-grams`);
    const { keys, counts } = entriesOf(other);
    for (let i = 0; i < keys.length; i++) this.counts.set(keys[i], (this.counts.get(keys[i]) ?? 0) + counts[i]);
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
    return { n: this.n, total: this.total, approximate: this.approximate, prunedMass: this.prunedMass, keys: [...this.counts.keys()], counts: [...this.counts.values()] };
  }

  static fromJSON(json: NGramTableJSON | NGramTableJSONv1, budget: number): NGramTable {
    const t = new NGramTable(json.n, budget);
    const { keys, counts } = entriesOf(json);
    for (let i = 0; i < keys.length; i++) t.counts.set(keys[i], counts[i]);
    t.total = json.total;
    t.approximate = json.approximate;
    t.prunedMass = json.prunedMass;
    return t;
  }
}
