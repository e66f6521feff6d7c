import { type CountTable, contextRange, countNGrams, forEachContext, forEachFollower, runSumSquares } from './counts.js';
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
  seddikMeasured: 'MLE replace: Σp² per context, over the contexts this generation and the previous one both continue (weighted as sumSquares)',
  seddikPredicted: 'MLE replace: Seddik\u2019s one-step expectation per context, S_{g-1} + (1 - S_{g-1}) / n_c (n_c: the context\u2019s followers in this generation), same contexts and weights',
  seddikError: 'MLE replace: measured / predicted - 1 of Σp² per context (the one-step closed form)',
  seddikFromStart: 'MLE replace: Seddik\u2019s g-step closed form per context, 1 - (1 - 1/n)^g (1 - S_0) with n fixed at the context\u2019s real count, same contexts and weights',
  vanished: 'MLE replace: share of the weight of the real set\u2019s contexts seen twice or more that this generation no longer continues (left out of Σp², the closed forms and the one-hot share)',
  halfOneHotChain: 'MLE replace, generation 0: the generation at which half of the real set\u2019s contexts seen twice or more are one-hot when each runs Seddik\u2019s chain with n = its real count',
  contextCountMedian: 'MLE replace, generation 0: median real count n of those contexts (the paper puts collapse between order n and n\u00b2 generations)',
  drift2: 'MLE mix: ‖p_g - p_1‖² per context (next-word distributions against the first model\u2019s), weighted by real count over all the real set\u2019s contexts',
  drift2Predicted: 'MLE mix: its one-step expectation per context, α² (‖p_{g-1} - p_1‖² + (1 - S_{g-1}) / n_c), α = n_c / (N_c + n_c)',
  drift2Error: 'MLE mix: measured / predicted - 1 of ‖p_g - p_1‖²',
  drift2Stationary: 'MLE mix: the closed form\u2019s limit with n = ratio · N per context, α² (1 - S_1) / (n (1 - α² (1 - 1/n))): the bound on the drift, whatever the generation',
  driftBound: 'MLE mix: bound on the L1 drift from that limit, Σ_j sqrt(α² p_j (1 - p_j) / (n (1 - α² (1 - 1/n)))) per context (E|x| ≤ sqrt(E x²)), n = ratio · N, weighted as drift',
  selected: 'toedit: share of tokens selected for resampling in this generation',
  changed: 'toedit: share of tokens changed in this generation',
  threshold: 'toedit: the probability threshold p of this generation (a token is selected when P > p)',
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
    let l1 = 0;
    forEachFollower(first, a0, a1, now, b0, b1, (ca, cb) => (l1 += Math.abs(ca / ta - cb / tb)));
    drift += ta * l1;
    driftWeight += ta;
    if (ta < 2) return;
    sq += ta * runSumSquares(now, b0, b1);
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
