import { TailguardError } from '../errors.js';
import { firstK } from './first-k.js';
import { IdTupleCounts } from './id-tuple-counts.js';
import { WordIds } from './word-ids.js';

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

const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The n-grams are tuples of word ids (`words`, shared by the tables of one view) counted in
 * typed arrays; their strings are made only for the files and the report's top n-grams.
 */
export class NGramTable {
  readonly n: number;
  readonly budget: number;
  readonly words: WordIds;
  total = 0;
  approximate = false;
  prunedMass = 0;
  private readonly grams: IdTupleCounts;
  /**
   * The keys of entries 0 .. length-1, as read from a file or made for one: every checkpoint
   * writes the whole table, so a key is made once, not at each of them (what the string-keyed
   * table held anyway, without its map).
   */
  private keyCache: string[] = [];
  /** Scratch for keyOf. */
  private readonly parts: string[] = [];

  constructor(n: number, budget: number, words = new WordIds()) {
    this.n = n;
    this.budget = budget;
    this.words = words;
    this.grams = new IdTupleCounts(n);
  }

  /** Distinct n-grams counted. */
  get size(): number {
    return this.grams.size;
  }

  /** Count the n-grams of one document, given as the ids of its words (the first `length`). */
  addIds(ids: Int32Array, length: number): void {
    const grams = this.grams;
    for (let i = 0; i + this.n <= length; i++) grams.add(ids, i, 1);
    if (length >= this.n) this.total += length - this.n + 1;
    if (grams.size > this.budget) this.prune();
  }

  /** Count the n-grams of one document given as audit tokens (words). */
  addTokens(tokens: readonly string[]): void {
    this.addIds(Int32Array.from(tokens, (w) => this.words.id(w)), tokens.length);
  }

  /** Drop the n-grams seen once; if that is not enough, the ones seen twice, and so on. */
  private prune(): void {
    for (let floor = 1; this.grams.size > this.budget / 2; floor++) {
      const counts = this.grams.counts;
      this.keyCache = this.keyCache.filter((_, e) => counts[e] > floor);
      this.prunedMass += this.grams.dropAtMost(floor);
    }
    this.approximate = true;
  }

  /** Fold in a later shard's table, as written by toJSON: shards are merged from their files. */
  merge(other: NGramTableJSON | NGramTableJSONv1): void {
    if (other.n !== this.n) throw new Error(`cannot merge ${other.n}-grams into ${this.n}-grams`);
    this.addKeys(entriesOf(other));
    this.total += other.total;
    this.prunedMass += other.prunedMass;
    this.approximate ||= other.approximate;
    if (this.grams.size > this.budget) this.prune();
  }

  /**
   * Count n-grams given as keys (words joined by SEP). Written in first-seen order, a key usually
   * continues the one before it by a word ("a b c" then "b c d"): its ids are then the previous
   * key's shifted by one and the last word's, so only that word is looked up.
   */
  private addKeys({ keys, counts }: { keys: string[]; counts: number[] }): void {
    const n = this.n;
    const ids = new Int32Array(n);
    if (this.grams.size === 0) this.grams.reserve(keys.length);
    let prev = '';
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const last = n === 1 ? 0 : key.lastIndexOf(SEP) + 1;
      const tail = n === 1 ? -1 : prev.indexOf(SEP) + 1;
      if (tail > 0 && last - 1 === prev.length - tail && key.startsWith(prev.slice(tail))) {
        ids.copyWithin(0, 1);
        ids[n - 1] = this.words.id(key.slice(last));
      } else {
        this.idsOfKey(key, ids);
      }
      const before = this.grams.size;
      this.grams.add(ids, 0, counts[i]);
      if (this.grams.size > before && this.keyCache.length === before) this.keyCache.push(key);
      prev = key;
    }
  }

  /** The ids of a key's words (added when new) into `ids`. */
  private idsOfKey(key: string, ids: Int32Array): void {
    let start = 0;
    for (let j = 0; j < this.n - 1; j++) {
      const end = key.indexOf(SEP, start);
      if (end < 0) throw new TailguardError('input', `the ${this.n}-gram table holds "${key}", which has ${j + 1} words`);
      ids[j] = this.words.id(key.slice(start, end));
      start = end + 1;
    }
    const rest = key.slice(start);
    if (this.n > 1 && rest.includes(SEP)) throw new TailguardError('input', `the ${this.n}-gram table holds "${key}", which has more than ${this.n} words`);
    ids[this.n - 1] = this.words.id(rest);
  }

  /** The n-gram of entry e, words joined by SEP (join makes one flat string; + made n - 1 pieces to flatten). */
  private keyOf(e: number): string {
    const { ids } = this.grams;
    const words = this.words.words;
    if (this.n === 1) return words[ids[e]];
    const parts = this.parts;
    for (let j = 0; j < this.n; j++) parts[j] = words[ids[e * this.n + j]];
    return parts.join(SEP);
  }

  /** The n-grams in first-seen order. */
  keys(): string[] {
    for (let e = this.keyCache.length; e < this.size; e++) this.keyCache.push(this.keyOf(e));
    return this.keyCache.slice();
  }

  /** The counts in first-seen order (a view: valid until the table changes). */
  countsInOrder(): Float64Array {
    return this.grams.counts.subarray(0, this.size);
  }

  /** The count of one n-gram (words joined by SEP), 0 when absent. */
  count(key: string): number {
    const words = this.n === 1 ? [key] : key.split(SEP);
    const ids = Int32Array.from(words, (w) => this.words.find(w));
    if (ids.length !== this.n || ids.includes(-1)) return 0;
    const e = this.grams.find(ids, 0);
    return e < 0 ? 0 : this.grams.counts[e];
  }

  /**
   * `other`'s count of each of this table's n-grams, in this table's order (0 where absent): one
   * lookup each, by ids translated once per word from this table's words to the other's.
   */
  countsIn(other: NGramTable): Float64Array {
    if (other.n !== this.n) throw new Error(`cannot compare ${this.n}-grams with ${other.n}-grams`);
    const translate = this.words === other.words ? null : Int32Array.from(this.words.words, (w) => other.words.find(w));
    const out = new Float64Array(this.size);
    const { ids } = this.grams;
    const key = new Int32Array(this.n);
    next: for (let e = 0; e < this.size; e++) {
      for (let j = 0; j < this.n; j++) {
        const id = ids[e * this.n + j];
        key[j] = translate ? translate[id] : id;
        if (key[j] < 0) continue next;
      }
      const f = other.grams.find(key, 0);
      if (f >= 0) out[e] = other.grams.counts[f];
    }
    return out;
  }

  /** Counts, largest first (ties by key). */
  sorted(): [string, number][] {
    const entries = Array.from({ length: this.size }, (_, e): [string, number] => [this.keyOf(e), this.grams.counts[e]]);
    return entries.sort((a, b) => b[1] - a[1] || compareKeys(a[0], b[0]));
  }

  /** The first k of sorted(), without sorting the whole table (see firstK); keys made only for ties. */
  top(k: number): [string, number][] {
    const counts = this.grams.counts;
    const entries = Array.from({ length: this.size }, (_, e) => e);
    const best = firstK(entries, k, (a, b) => counts[b] - counts[a] || compareKeys(this.keyOf(a), this.keyOf(b)));
    return best.map((e) => [this.keyOf(e), counts[e]]);
  }

  /** The counts alone, largest first. */
  countsDescending(): Float64Array {
    return this.countsInOrder().slice().sort().reverse();
  }

  /**
   * Counts in first-seen order: the order of the corpus, so one run and the merge of its shards
   * (absorbed in task order) write the same bytes, and merged sums repeat bit for bit. Sorting
   * them instead cost seconds per run for nobody: only this code reads the files back.
   */
  toJSON(): NGramTableJSON {
    return { n: this.n, total: this.total, approximate: this.approximate, prunedMass: this.prunedMass, keys: this.keys(), counts: Array.from(this.countsInOrder()) };
  }

  static fromJSON(json: NGramTableJSON | NGramTableJSONv1, budget: number, words = new WordIds()): NGramTable {
    const t = new NGramTable(json.n, budget, words);
    t.addKeys(entriesOf(json));
    t.total = json.total;
    t.approximate = json.approximate;
    t.prunedMass = json.prunedMass;
    return t;
  }
}
