import type { Rng } from '../random.js';
import { binomialUpper, detectorScore, type Detector } from './detector.js';
import type { Features } from './features.js';
import { bootstrapShare, estimateMixture, posteriors, type ShareEstimate } from './mixture.js';

/** What the detector says about a target corpus. */
export interface Contamination {
  documents: number;
  /** Documents whose score is above the threshold. */
  flagged: number;
  /** flagged / documents: biased by the false-positive and miss rates. */
  shareAboveThreshold: number;
  /** (share above − FPR) / (TPR − FPR), FPR and TPR from the held-out part, clipped to [0, 1]. */
  adjusted: ShareEstimate;
  /** Maximum-likelihood mixture of the human and synthetic score densities (the headline number). */
  mixture: ShareEstimate;
  /** Per target document: oriented score, label at the threshold, posterior P(synthetic). */
  perDocument: { score: number; synthetic: boolean; posterior: number }[];
}

/** Oriented scores of the reference parts the estimate is built from. */
export interface ReferenceScores {
  /** All human reference documents (calibration and held-out): the human component. */
  human: number[];
  /** All synthetic documents: the synthetic component. */
  synthetic: number[];
  /** The held-out parts alone: the rates of the adjusted estimator. */
  heldoutHuman: number[];
  heldoutSynthetic: number[];
}

/**
 * Estimate the synthetic share of `target` two ways, each with a percentile bootstrap interval
 * (target and reference samples resampled together) widened where needed to the binomial
 * interval of its document count (see atLeastBinomial): the mixture estimate and the share above
 * the threshold corrected for the held-out error rates.
 */
export function estimateContamination(detector: Detector, reference: ReferenceScores, target: readonly Features[], options: { rounds: number; level: number; rng: Rng }): Contamination {
  const scores = target.map((f) => detectorScore(detector, f));
  const { threshold } = detector;
  const above = (xs: readonly number[]) => xs.filter((x) => x > threshold).length / xs.length;
  const fit = estimateMixture(scores, reference.human, reference.synthetic);
  const post = posteriors(fit.logHuman, fit.logSynthetic, fit.share);
  const mixtureInterval = bootstrapShare((t, h, s) => estimateMixture(t, h, s).share, { target: scores, human: reference.human, synthetic: reference.synthetic }, options);
  const adjustedShare = (t: readonly number[], h: readonly number[], s: readonly number[]) => {
    const fpr = above(h);
    const tpr = above(s);
    return tpr > fpr ? Math.min(1, Math.max(0, (above(t) - fpr) / (tpr - fpr))) : NaN;
  };
  const adjustedInterval = bootstrapShare(adjustedShare, { target: scores, human: reference.heldoutHuman, synthetic: reference.heldoutSynthetic }, options);
  const flagged = scores.filter((x) => x > threshold).length;
  const adjusted = adjustedShare(scores, reference.heldoutHuman, reference.heldoutSynthetic);
  return {
    documents: scores.length,
    flagged,
    shareAboveThreshold: flagged / Math.max(1, scores.length),
    adjusted: { estimate: adjusted, ...atLeastBinomial(adjustedInterval, adjusted, scores.length, options.level) },
    mixture: { estimate: fit.share, ...atLeastBinomial(mixtureInterval, fit.share, scores.length, options.level) },
    perDocument: scores.map((score, i) => ({ score, synthetic: score > threshold, posterior: post[i] })),
  };
}

/**
 * A share interval widened to at least the two-sided Clopper-Pearson interval of a share of `n`
 * documents. Even a perfect detector knows the share of a sample of n documents only that well,
 * and the percentile bootstrap cannot show it when every resampled document falls on one side:
 * three documents all scored human give 0% [0%, 0%] from the bootstrap, [0%, 70.8%] here.
 */
export function atLeastBinomial(interval: { low: number; high: number }, estimate: number, n: number, level: number): { low: number; high: number } {
  if (!Number.isFinite(estimate) || n === 0) return interval;
  const k = Math.round(estimate * n);
  const side = 1 - (1 - level) / 2;
  return { low: Math.min(interval.low, 1 - binomialUpper(n - k, n, side)), high: Math.max(interval.high, binomialUpper(k, n, side)) };
}
