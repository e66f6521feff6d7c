import type { Rng } from '../random.js';

/** A share with its bootstrap interval. */
export interface ShareEstimate {
  estimate: number;
  low: number;
  high: number;
}

/**
 * Gaussian kernel density estimate in log space (a target score far from every sample still gets
 * a finite log-density, so the mixture likelihood never divides 0 by 0). Bandwidth: Silverman's
 * rule, 0.9·min(sd, IQR/1.34)·n^(-1/5).
 */
export class LogDensity {
  private readonly h: number;
  private readonly norm: number;

  constructor(private readonly samples: readonly number[]) {
    this.h = silverman(samples);
    this.norm = Math.log(samples.length * this.h * Math.sqrt(2 * Math.PI));
  }

  at(x: number): number {
    let max = -Infinity;
    const terms = this.samples.map((s) => {
      const z = (x - s) / this.h;
      const t = -0.5 * z * z;
      if (t > max) max = t;
      return t;
    });
    let sum = 0;
    for (const t of terms) sum += Math.exp(t - max);
    return max + Math.log(sum) - this.norm;
  }
}

function silverman(xs: readonly number[]): number {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, n - 1));
  const sorted = [...xs].sort((a, b) => a - b);
  const iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
  const spread = iqr > 0 ? Math.min(sd, iqr / 1.34) : sd;
  return Math.max(0.9 * spread * n ** -0.2, 1e-6 * (Math.abs(mean) + 1));
}

/** Linear-interpolation quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Maximum-likelihood share π of the synthetic component in target = (1−π)·human + π·synthetic,
 * with both components' densities given as log-densities at each target score. The
 * log-likelihood Σ log(1 − π + π·r_i) (r_i the density ratio) is concave in π, so its derivative
 * Σ (r_i − 1) / (1 − π + π·r_i) falls monotonically: the maximum is at 0, at 1, or where the
 * derivative crosses zero, found by bisection (EM crawls when the share is near 0).
 */
export function mixtureShare(logHuman: readonly number[], logSynthetic: readonly number[]): number {
  if (logHuman.length === 0) return NaN;
  const ratio = logHuman.map((h, i) => Math.exp(Math.max(-700, Math.min(700, logSynthetic[i] - h))));
  const slope = (pi: number) => ratio.reduce((acc, r) => acc + (r - 1) / (1 - pi + pi * r), 0);
  if (slope(0) <= 0) return 0;
  if (slope(1) >= 0) return 1;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if (slope(mid) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Posterior probability that each target score is synthetic, at share π. */
export function posteriors(logHuman: readonly number[], logSynthetic: readonly number[], pi: number): number[] {
  return logHuman.map((h, i) => {
    const r = Math.exp(Math.max(-700, Math.min(700, logSynthetic[i] - h)));
    return (pi * r) / (1 - pi + pi * r);
  });
}

/** The ML share of `target` given samples of the human and synthetic scores. */
export function estimateMixture(target: readonly number[], human: readonly number[], synthetic: readonly number[]): { share: number; logHuman: number[]; logSynthetic: number[] } {
  const fh = new LogDensity(human);
  const fs = new LogDensity(synthetic);
  const logHuman = target.map((x) => fh.at(x));
  const logSynthetic = target.map((x) => fs.at(x));
  return { share: mixtureShare(logHuman, logSynthetic), logHuman, logSynthetic };
}

/**
 * Percentile bootstrap of a share estimate: the target, human and synthetic samples are all
 * resampled with replacement, so the interval carries the calibration samples' own noise too.
 */
export function bootstrapShare(
  estimate: (target: number[], human: number[], synthetic: number[]) => number,
  samples: { target: readonly number[]; human: readonly number[]; synthetic: readonly number[] },
  options: { rounds: number; level: number; rng: Rng },
): { low: number; high: number } {
  const draw = (xs: readonly number[]) => Array.from(xs, () => xs[Math.floor(options.rng.next() * xs.length)]);
  const values: number[] = [];
  for (let b = 0; b < options.rounds; b++) values.push(estimate(draw(samples.target), draw(samples.human), draw(samples.synthetic)));
  // A round can be undefined (the adjusted estimator when a resample has TPR <= FPR): it is left
  // out, and the interval comes from the rounds that have a value.
  values.splice(0, values.length, ...values.filter(Number.isFinite).sort((a, b) => a - b));
  const tail = (1 - options.level) / 2;
  return { low: quantile(values, tail), high: quantile(values, 1 - tail) };
}
