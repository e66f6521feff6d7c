import { readBrown } from '../corpus/brown.js';
import { words } from '../corpus/words.js';
import { Vocabulary } from '../prior/ngram/vocabulary.js';
import type { Rng } from '../random.js';

/** A document as word ids of the generation-0 vocabulary. */
export type Doc = Int32Array;

/** A training corpus: documents of ids. */
export type Corpus = readonly Doc[];

/** Brown as words: the text every simulation starts from. */
export interface BrownWords {
  /** Brown train documents in file order, and their genres. */
  train: string[][];
  genres: string[];
  heldout: string[][];
}

export async function loadBrownWords(): Promise<BrownWords> {
  const text: BrownWords = { train: [], genres: [], heldout: [] };
  for await (const d of readBrown('train')) {
    text.train.push(words(d.text));
    text.genres.push(String(d.meta.category));
  }
  for await (const d of readBrown('heldout')) text.heldout.push(words(d.text));
  return text;
}

/** The data of one repeat, as ids of its generation-0 vocabulary. */
export interface SeedData {
  /**
   * Every word type of the real set and nothing else (no `<unk>` cut-off, so the tails are there
   * to lose). Fixed at generation 0: no later model can add a word the real set lacked, so
   * types can only be kept or lost, and held-out perplexity stays comparable across generations.
   */
  vocab: Vocabulary;
  /** Brown train documents in this seed's random order (words outside the vocabulary are `<unk>`), and their genres. */
  pool: Doc[];
  poolGenres: string[];
  /** The real set: the first `realTokens` tokens of the pool. */
  real: Doc[];
  /** Brown held-out documents; `<unk>` words are not scored. */
  heldout: Doc[];
}

export function seedData(brown: BrownWords, realTokens: number, rng: Rng): SeedData {
  const order = shuffled(brown.train.length, rng);
  const freq = new Map<string, number>();
  let left = realTokens;
  for (const i of order) {
    for (const w of brown.train[i].slice(0, left)) freq.set(w, (freq.get(w) ?? 0) + 1);
    if ((left -= brown.train[i].length) <= 0) break;
  }
  const vocab = Vocabulary.fromCounts(freq, 1);
  const ids = (doc: string[]) => Int32Array.from(doc, (w) => vocab.id(w));
  const pool = order.map((i) => ids(brown.train[i]));
  return { vocab, pool, poolGenres: order.map((i) => brown.genres[i]), real: takeTokens(pool, realTokens), heldout: brown.heldout.map(ids) };
}

/** Indices 0..n-1 in a random order (Fisher-Yates). */
export function shuffled(n: number, rng: Rng): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** The first `tokens` tokens of a corpus, in whole documents except the last, which is cut. */
export function takeTokens(corpus: Corpus, tokens: number): Doc[] {
  const out: Doc[] = [];
  let left = tokens;
  for (const doc of corpus) {
    if (left <= 0) break;
    out.push(doc.length <= left ? doc : doc.subarray(0, left));
    left -= doc.length;
  }
  return out;
}

export function tokenCount(corpus: Corpus): number {
  let n = 0;
  for (const d of corpus) n += d.length;
  return n;
}

/**
 * Document lengths for `tokens` synthetic tokens: the real set's lengths in turn, the last one
 * cut, so synthetic sets have the real documents' shape.
 */
export function lengthsFor(tokens: number, real: Corpus): number[] {
  const lengths: number[] = [];
  for (let left = tokens, j = 0; left > 0; j++) {
    const n = Math.min(left, real[j % real.length].length);
    lengths.push(n);
    left -= n;
  }
  return lengths;
}

/** Whole documents drawn without replacement until `tokens` tokens (the last one cut). */
export function subsample(pool: Corpus, tokens: number, rng: Rng): Doc[] {
  return takeTokens(
    shuffled(pool.length, rng).map((i) => pool[i]),
    tokens,
  );
}
