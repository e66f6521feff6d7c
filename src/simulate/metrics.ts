import { type CountTable, contextRange, countNGrams, forEachContext } from './counts.js';
import type { Corpus } from './data.js';

/** The metrics of one step (one model and its training corpus). */
export type StepMetrics = Partial<Record<MetricName, number>>;

/** Every metric the simulator reports, with what it means (the report and the CSV use these). */
export const METRICS = {
  perplexity: 'perplexity of the Brown held-out split under the model (floored; held-out words outside the vocabulary are not scored)',
  types: 'word types in the training corpus',
  typeLoss: 'share of the real set\u2019s word types absent from the training corpus',
  distinct2: 'distinct bigrams in the training corpus',
  distinct3: 'distinct trigrams in the training corpus',
  topMass2: 'share of all bigrams that are one of the top-k most frequent',
  entropy1: 'entropy of the word distribution, bits',
  entropy2: 'entropy of the bigram distribution, bits',
  sumSquares: 'MLE next-word distributions: Σp² per context (previous word) over the real set\u2019s contexts seen twice or more, weighted by their real count (1 = collapsed)',
  collapsed: 'MLE next-word distributions: share of the real set\u2019s contexts seen twice or more that now have a single follower (one-hot)',
  drift: 'MLE next-word distributions: L1 distance from the first model\u2019s (the real set\u2019s), weighted by real context count, over contexts still seen',
  selected: 'toedit: share of tokens selected for resampling in this generation',
  changed: 'toedit: share of tokens changed in this generation',
} as const;

export type MetricName = keyof typeof METRICS;

/** What every step is compared with: the real set the run started from. */
export interface Reference {
  /** 1 for every word type of the real set. */
  types: Uint8Array;
  typeCount: number;
  /** Bigram counts of the real set (no padding): the first model's next-word distributions. */
  bigrams: CountTable;
}

export function reference(real: Corpus, vocabSize: number): Reference {
  const types = new Uint8Array(vocabSize);
  let typeCount = 0;
  for (const doc of real) {
    for (const w of doc) {
      if (types[w]) continue;
      types[w] = 1;
      typeCount++;
    }
  }
  return { types, typeCount, bigrams: countNGrams(real, 2, vocabSize, false) };
}

/** Corpus statistics of a training corpus against the real set. */
export function corpusMetrics(corpus: Corpus, ref: Reference, topK: number): StepMetrics {
  const base = ref.types.length;
  const unigrams = countNGrams(corpus, 1, base, false);
  const bigrams = countNGrams(corpus, 2, base, false);
  let kept = 0;
  for (const w of unigrams.keys) if (ref.types[w]) kept++;
  return {
    types: unigrams.keys.length,
    typeLoss: 1 - kept / ref.typeCount,
    distinct2: bigrams.keys.length,
    distinct3: countNGrams(corpus, 3, base, false).keys.length,
    topMass2: topMass(bigrams.counts, topK),
    entropy1: entropyBits(unigrams.counts),
    entropy2: entropyBits(bigrams.counts),
    ...perContext(bigrams, ref.bigrams),
  };
}

/**
 * Seddik's per-context quantities, measured on fixed contexts: the real set's previous-word
 * contexts, each weighted by its count there. Σp² and the one-hot share use the contexts the real
 * set saw at least twice (one seen once is one-hot by necessity; and a corpus that merely grows,
 * as under accumulate, must not turn those into "collapsed" ones); the L1 drift uses all of them.
 * A context the corpus no longer has (its word was lost) is left out; typeLoss counts it.
 */
function perContext(now: CountTable, first: CountTable): { sumSquares: number; collapsed: number; drift: number } {
  let sqWeight = 0;
  let sq = 0;
  let contexts = 0;
  let oneHot = 0;
  let driftWeight = 0;
  let drift = 0;
  forEachContext(first, (ctx, a0, a1) => {
    const [b0, b1] = contextRange(now, ctx);
    if (b0 === b1) return;
    const ta = first.cum[a1] - first.cum[a0];
    const tb = now.cum[b1] - now.cum[b0];
    // Both runs are sorted by key: merge them for the L1 distance.
    let l1 = 0;
    for (let i = a0, j = b0; i < a1 || j < b1; ) {
      const ki = i < a1 ? first.keys[i] : Infinity;
      const kj = j < b1 ? now.keys[j] : Infinity;
      if (ki === kj) l1 += Math.abs(first.counts[i++] / ta - now.counts[j++] / tb);
      else if (ki < kj) l1 += first.counts[i++] / ta;
      else l1 += now.counts[j++] / tb;
    }
    drift += ta * l1;
    driftWeight += ta;
    if (ta < 2) return;
    let s = 0;
    for (let j = b0; j < b1; j++) s += (now.counts[j] / tb) ** 2;
    sq += ta * s;
    sqWeight += ta;
    contexts++;
    if (b1 - b0 === 1) oneHot++;
  });
  return { sumSquares: sqWeight > 0 ? sq / sqWeight : 0, collapsed: contexts > 0 ? oneHot / contexts : 0, drift: driftWeight > 0 ? drift / driftWeight : 0 };
}

function topMass(counts: Int32Array, k: number): number {
  const sorted = Int32Array.from(counts).sort();
  let top = 0;
  let total = 0;
  for (let j = 0; j < sorted.length; j++) {
    total += sorted[j];
    if (j >= sorted.length - k) top += sorted[j];
  }
  return total > 0 ? top / total : 0;
}

function entropyBits(counts: Int32Array): number {
  let total = 0;
  for (const c of counts) total += c;
  let h = 0;
  for (const c of counts) h -= (c / total) * Math.log2(c / total);
  return h;
}
