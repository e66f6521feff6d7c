import { words } from '../corpus/words.js';
import { fnv1a } from '../hash.js';
import { NGramTable, type NGramTableJSON, type NGramTableJSONv1, SEP } from './ngram-table.js';
import { WordIds } from './word-ids.js';

/** Orders of n-grams counted. */
export const ORDERS = [1, 2, 3, 4] as const;
/** ToEdit's concentration plot: unigram + bigram features hashed into this many buckets. */
export const HASH_BUCKETS = 10_000;
/** GLTR rank buckets: top-1, top-10, top-100, other. */
export const RANK_EDGES = [1, 10, 100] as const;

/** What the audit needs from a prior's scores of one document. */
export interface ScoredTokens {
  logProb: Float32Array;
  rank: Int32Array;
}

export interface CorpusStatsJSON {
  version: 2;
  docs: number;
  tokens: number;
  chars: number;
  ngrams: NGramTableJSON[];
  hashed: number[];
  /** Per-document perplexity under the prior, in document order (empty when not scored). */
  docPerplexity: number[];
  priorTokens: number;
  rankBuckets: number[];
  probHistogram: number[];
}

/** Statistics as files before version 2 held them (n-gram tables as pairs); still read. */
export interface CorpusStatsJSONv1 extends Omit<CorpusStatsJSON, 'version' | 'ngrams'> {
  version: 1;
  ngrams: NGramTableJSONv1[];
}

/**
 * Statistics of one view of a corpus (human, edited, synthetic, …), computed as documents
 * stream past. Plain mergeable values: statistics of two shards merge into exactly those of
 * both together (while the n-gram tables stay within budget), and JSON round-trips losslessly.
 */
export class CorpusStats {
  docs = 0;
  tokens = 0;
  chars = 0;
  /** The words of this view's n-gram tables as ids: audit tokens are the reversible word segmentation, lower-cased. */
  words = new WordIds();
  private ids = new Int32Array(1024);
  tables: NGramTable[];
  hashed = new Array<number>(HASH_BUCKETS).fill(0);
  docPerplexity: number[] = [];
  priorTokens = 0;
  rankBuckets = [0, 0, 0, 0];
  probHistogram = new Array<number>(10).fill(0);

  constructor(readonly budget = 4_000_000) {
    this.tables = ORDERS.map((n) => new NGramTable(n, budget, this.words));
  }

  /** Add one document, with the prior's scores of it when the view was scored. */
  add(text: string, scores?: ScoredTokens): void {
    const forms = words(text);
    const length = forms.length;
    const ids = this.idBuffer(length);
    for (let i = 0; i < length; i++) ids[i] = this.words.idOfForm(forms[i]);
    this.docs++;
    this.tokens += length;
    this.chars += text.length;
    for (const t of this.tables) t.addIds(ids, length);
    this.addHashed(ids, length);
    if (scores) this.addScores(scores);
  }

  /** A reused buffer for one document's word ids. */
  private idBuffer(length: number): Int32Array {
    if (this.ids.length < length) this.ids = new Int32Array(Math.max(length, this.ids.length * 2));
    return this.ids;
  }

  /**
   * ToEdit's hashed unigram and bigram features: fnv1a(word) and fnv1a(previous + SEP + word),
   * the latter continued from the previous word's kept hash (FNV-1a hashes a string left to
   * right, so this is the same number without building the joined string).
   */
  private addHashed(ids: Int32Array, length: number): void {
    const { hashes, words: byId } = this.words;
    for (let i = 0; i < length; i++) {
      const id = ids[i];
      this.hashed[hashes[id] % HASH_BUCKETS]++;
      if (i > 0) this.hashed[fnv1a(byId[id], fnv1a(SEP, hashes[ids[i - 1]])) % HASH_BUCKETS]++;
    }
  }

  private addScores(s: ScoredTokens): void {
    const n = s.logProb.length;
    if (n === 0) return;
    let nll = 0;
    for (let i = 0; i < n; i++) {
      nll -= s.logProb[i];
      const r = s.rank[i];
      this.rankBuckets[r <= RANK_EDGES[0] ? 0 : r <= RANK_EDGES[1] ? 1 : r <= RANK_EDGES[2] ? 2 : 3]++;
      this.probHistogram[Math.min(9, Math.floor(Math.exp(s.logProb[i]) * 10))]++;
    }
    this.priorTokens += n;
    this.docPerplexity.push(Math.exp(nll / n));
  }

  /** Fold `other` (a later shard, as written by toJSON) into this one. */
  merge(other: CorpusStatsJSON | CorpusStatsJSONv1): this {
    checkVersion(other);
    this.docs += other.docs;
    this.tokens += other.tokens;
    this.chars += other.chars;
    this.tables.forEach((t, i) => t.merge(other.ngrams[i]));
    other.hashed.forEach((c, i) => (this.hashed[i] += c));
    // One by one: spreading a million documents' values as arguments overflows the stack.
    for (const p of other.docPerplexity) this.docPerplexity.push(p);
    this.priorTokens += other.priorTokens;
    other.rankBuckets.forEach((c, i) => (this.rankBuckets[i] += c));
    other.probHistogram.forEach((c, i) => (this.probHistogram[i] += c));
    return this;
  }

  toJSON(): CorpusStatsJSON {
    return {
      version: 2,
      docs: this.docs,
      tokens: this.tokens,
      chars: this.chars,
      ngrams: this.tables.map((t) => t.toJSON()),
      hashed: this.hashed,
      docPerplexity: this.docPerplexity,
      priorTokens: this.priorTokens,
      rankBuckets: this.rankBuckets,
      probHistogram: this.probHistogram,
    };
  }

  static fromJSON(json: CorpusStatsJSON | CorpusStatsJSONv1, budget = 4_000_000): CorpusStats {
    checkVersion(json);
    const s = new CorpusStats(budget);
    s.docs = json.docs;
    s.tokens = json.tokens;
    s.chars = json.chars;
    s.tables = json.ngrams.map((t) => NGramTable.fromJSON(t, budget, s.words));
    s.hashed = [...json.hashed];
    s.docPerplexity = [...json.docPerplexity];
    s.priorTokens = json.priorTokens;
    s.rankBuckets = [...json.rankBuckets];
    s.probHistogram = [...json.probHistogram];
    return s;
  }
}

function checkVersion(json: { version: number }): void {
  if (json.version !== 1 && json.version !== 2) throw new Error(`unsupported statistics version ${json.version}`);
}
