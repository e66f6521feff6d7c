import { TailguardError } from '../errors.js';
import type { TokenScores } from '../prior/types.js';

/** Which prior a feature comes from: the transformers.js model or the Kneser-Ney n-gram model. */
export type PriorRole = 'neural' | 'ngram';

/** Per-prior features, each a summary of one scoring pass over a document. */
const PER_PRIOR = {
  logProb: 'mean log-probability per token',
  logRank: 'mean log-rank per token',
  entropy: 'mean entropy of the next-token distributions (nats)',
  top1: 'share of tokens that are the top-1 prediction (GLTR)',
  top10: 'share of tokens in the top 10 (GLTR)',
  top100: 'share of tokens in the top 100 (GLTR)',
  curvature: "Fast-DetectGPT analytic curvature: (Σ log p − Σ E[log p]) / √Σ Var[log p] under the prior's own distributions",
  nllOverEntropy: 'mean −log p over mean entropy: the single-model Binoculars score (observer = performer)',
  oov: "share of tokens the prior cannot emit: out-of-vocabulary words for the n-gram prior (0 for byte-level BPE)",
} as const;

export type PerPriorFeature = keyof typeof PER_PRIOR;
export type FeatureName = `${PriorRole}.${PerPriorFeature}` | 'crossNll';

/** Every feature name and what it measures, in report order. */
export const FEATURES: Record<FeatureName, string> = {
  ...(Object.fromEntries((['neural', 'ngram'] as const).flatMap((role) => Object.entries(PER_PRIOR).map(([k, d]) => [`${role}.${k}`, `${d} (${role} prior)`]))) as Record<`${PriorRole}.${PerPriorFeature}`, string>),
  crossNll:
    "Binoculars-style ratio across the two priors: the neural prior's negative log-likelihood of the text over the n-gram prior's, both in nats for the same characters (a per-character ratio, since the tokenizations differ)",
};

/** One document's features; only those of the priors that scored it are present. */
export type Features = Partial<Record<FeatureName, number>>;

/** One prior's verdict on one document: its scores (with rank, entropy and moments) and its tokens. */
export interface PriorPass {
  scores: TokenScores;
  /** Tokens of the document the prior could not emit (its unknown class). */
  unknown: number;
}

/** The features of one prior's pass over one document. */
export function priorFeatures(role: PriorRole, pass: PriorPass): Features {
  const s = pass.scores;
  const n = s.logProb.length;
  if (n === 0) return {};
  if (!s.logProbVariance) throw new TailguardError('internal', 'priorFeatures: scores without logProbVariance (score with moments: true)', { step: 'detect' });
  let lp = 0;
  let lr = 0;
  let h = 0;
  let v = 0;
  const top = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    lp += s.logProb[i];
    lr += Math.log(s.rank[i]);
    h += s.entropy[i];
    v += s.logProbVariance[i];
    if (s.rank[i] <= 1) top[0]++;
    if (s.rank[i] <= 10) top[1]++;
    if (s.rank[i] <= 100) top[2]++;
  }
  const f: Record<PerPriorFeature, number> = {
    logProb: lp / n,
    logRank: lr / n,
    entropy: h / n,
    top1: top[0] / n,
    top10: top[1] / n,
    top100: top[2] / n,
    // E[log p] = −entropy at every position, so Σ log p − Σ E[log p] = Σ log p + Σ entropy.
    curvature: (lp + h) / Math.sqrt(Math.max(v, 1e-12)),
    nllOverEntropy: -lp / Math.max(h, 1e-12),
    oov: pass.unknown / n,
  };
  return Object.fromEntries(Object.entries(f).map(([k, x]) => [`${role}.${k}`, x]));
}

/** All features of one document from whichever priors scored it. */
export function documentFeatures(passes: Partial<Record<PriorRole, PriorPass>>): Features {
  const { neural, ngram } = passes;
  const out: Features = { ...(neural && priorFeatures('neural', neural)), ...(ngram && priorFeatures('ngram', ngram)) };
  if (neural && ngram && neural.scores.logProb.length > 0 && ngram.scores.logProb.length > 0) {
    out.crossNll = sum(neural.scores.logProb) / sum(ngram.scores.logProb);
  }
  return out;
}

function sum(xs: Float32Array): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
