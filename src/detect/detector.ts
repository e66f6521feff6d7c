import { TailguardError } from '../errors.js';
import { auroc } from './auroc.js';
import { FEATURES, type FeatureName, type Features } from './features.js';

/** Feature rows of human and synthetic documents. */
export interface LabeledFeatures {
  human: readonly Features[];
  synthetic: readonly Features[];
}

/** How well one feature separates human from synthetic text. */
export interface FeatureQuality {
  feature: FeatureName;
  /** +1 when synthetic text scores higher, −1 when lower: learned on the calibration part. */
  direction: 1 | -1;
  /** AUROC of the oriented feature on the calibration part (what chose the feature). */
  calibrationAuroc: number;
  /** AUROC of the oriented feature on the held-out part, never used to choose anything. */
  heldoutAuroc: number;
  /** Difference of the class means over the pooled standard deviation (calibration part). */
  separation: number;
}

/** Error rates of the threshold on one part, with the counts they come from. */
export interface Rates {
  human: number;
  synthetic: number;
  fpr: number;
  tpr: number;
  /** One-sided 95% Clopper-Pearson upper bound on the false-positive rate. */
  fprUpper95: number;
}

/** The calibrated detector: one feature, oriented so higher means synthetic, and a threshold. */
export interface Detector {
  feature: FeatureName;
  direction: 1 | -1;
  /** Documents whose oriented score is above this are labelled synthetic. */
  threshold: number;
  targetFpr: number;
  calibration: Rates;
  heldout: Rates;
  features: FeatureQuality[];
}

/** A document's oriented score under a detector (higher: more machine-like). */
export function detectorScore(d: Pick<Detector, 'feature' | 'direction'>, f: Features): number {
  const x = f[d.feature];
  if (x === undefined || !Number.isFinite(x)) throw new TailguardError('internal', `detector feature ${d.feature} missing from a document`, { step: 'detect' });
  return d.direction * x;
}

/**
 * Choose the feature, its direction and the threshold on the calibration part only, then state the
 * error rates on the held-out part. The feature with the best calibration AUROC wins (ties: the
 * larger separation); the threshold is the lowest that flags at most `targetFpr` of the
 * calibration human documents. No threshold or direction is fixed in advance.
 */
export function calibrateDetector(calibration: LabeledFeatures, heldout: LabeledFeatures, targetFpr: number, only?: readonly FeatureName[]): Detector {
  for (const [name, part] of [['calibration', calibration], ['held-out', heldout]] as const) {
    if (part.human.length < 2 || part.synthetic.length < 2) throw new TailguardError('config', `detect: the ${name} part needs at least 2 human and 2 synthetic documents (has ${part.human.length} and ${part.synthetic.length}); give a larger reference`, { step: 'detect' });
  }
  const rows = [...calibration.human, ...calibration.synthetic, ...heldout.human, ...heldout.synthetic];
  const names = (Object.keys(FEATURES) as FeatureName[]).filter((f) => (!only || only.includes(f)) && rows.every((r) => Number.isFinite(r[f])));
  if (names.length === 0) throw new TailguardError('config', 'detect: no feature is available for every document (score with at least one prior)', { step: 'detect' });
  const values = (rows: readonly Features[], f: FeatureName) => rows.map((r) => r[f]!);
  const features = names.map((feature): FeatureQuality => {
    const h = values(calibration.human, feature);
    const s = values(calibration.synthetic, feature);
    const raw = auroc(s, h);
    const direction = raw >= 0.5 ? 1 : -1;
    const orient = (xs: number[]) => xs.map((x) => direction * x);
    return {
      feature,
      direction,
      calibrationAuroc: direction === 1 ? raw : 1 - raw,
      heldoutAuroc: auroc(orient(values(heldout.synthetic, feature)), orient(values(heldout.human, feature))),
      separation: Math.abs(mean(s) - mean(h)) / Math.sqrt((variance(s) + variance(h)) / 2 || 1e-12),
    };
  });
  const best = [...features].sort((a, b) => b.calibrationAuroc - a.calibrationAuroc || b.separation - a.separation)[0];
  const score = (rows: readonly Features[]) => rows.map((r) => detectorScore(best, r));
  const threshold = thresholdAtFpr(score(calibration.human), targetFpr);
  const rates = (part: LabeledFeatures): Rates => {
    const fp = score(part.human).filter((x) => x > threshold).length;
    return {
      human: part.human.length,
      synthetic: part.synthetic.length,
      fpr: fp / part.human.length,
      tpr: score(part.synthetic).filter((x) => x > threshold).length / part.synthetic.length,
      fprUpper95: binomialUpper(fp, part.human.length, 0.95),
    };
  };
  return { feature: best.feature, direction: best.direction, threshold, targetFpr, calibration: rates(calibration), heldout: rates(heldout), features };
}

/** The lowest threshold t such that at most a share `fpr` of `human` scores exceed t. */
export function thresholdAtFpr(human: readonly number[], fpr: number): number {
  const sorted = [...human].sort((a, b) => b - a);
  const allowed = Math.floor(fpr * sorted.length + 1e-9);
  return sorted[Math.min(allowed, sorted.length - 1)];
}

/** One-sided Clopper-Pearson upper bound for k successes in n trials, by bisection on the binomial CDF. */
export function binomialUpper(k: number, n: number, level: number): number {
  if (k >= n) return 1;
  let lo = k / n;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const p = (lo + hi) / 2;
    if (binomialCdf(k, n, p) > 1 - level) lo = p;
    else hi = p;
  }
  return hi;
}

function binomialCdf(k: number, n: number, p: number): number {
  let logTerm = n * Math.log1p(-p); // P(X = 0)
  let sum = Math.exp(logTerm);
  for (let j = 1; j <= k; j++) {
    logTerm += Math.log((n - j + 1) / j) + Math.log(p) - Math.log1p(-p);
    sum += Math.exp(logTerm);
  }
  return sum;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function variance(xs: readonly number[]): number {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1);
}
