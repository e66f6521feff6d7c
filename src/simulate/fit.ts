import { type Spread, spread } from './spread.js';

/** L(n) = a + b·n^-c fitted to points (n, L). */
export interface PowerLaw {
  a: number;
  b: number;
  c: number;
  /** Root mean square residual of the fit. */
  rmse: number;
}

/**
 * Least squares fit of L(n) = a + b·n^-c with a ≥ 0. For a fixed exponent c the model is linear in (a, b),
 * so the fit is exact in (a, b) and a one-dimensional search in c: a grid over (0, 3], then a
 * golden-section refinement around the best grid point. No starting values, nothing random.
 */
export function fitPowerLaw(points: readonly (readonly [number, number])[]): PowerLaw {
  const scale = Math.max(...points.map(([n]) => n));
  // n scaled to (0, 1] keeps n^-c in a sane range for every c.
  const xs = points.map(([n]) => n / scale);
  const ys = points.map(([, y]) => y);
  const solve = (c: number) => {
    const u = xs.map((x) => x ** -c);
    const k = u.length;
    const mu = u.reduce((s, v) => s + v, 0) / k;
    const my = ys.reduce((s, v) => s + v, 0) / k;
    let suu = 0;
    let suy = 0;
    u.forEach((v, i) => {
      suu += (v - mu) ** 2;
      suy += (v - mu) * (ys[i] - my);
    });
    let b = suu > 0 ? suy / suu : 0;
    let a = my - b * mu;
    if (a < 0) {
      // A loss (ln perplexity) is never below 0: on that bound, b alone is fitted.
      a = 0;
      b = u.reduce((s, v, i) => s + v * ys[i], 0) / u.reduce((s, v) => s + v * v, 0);
    }
    const sse = u.reduce((s, v, i) => s + (ys[i] - a - b * v) ** 2, 0);
    return { a, b, sse };
  };
  const grid = Array.from({ length: 300 }, (_, i) => (i + 1) / 100);
  let best = grid[0];
  for (const c of grid) if (solve(c).sse < solve(best).sse) best = c;
  let lo = Math.max(1e-4, best - 0.01);
  let hi = best + 0.01;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 60; i++) {
    const m1 = hi - g * (hi - lo);
    const m2 = lo + g * (hi - lo);
    if (solve(m1).sse < solve(m2).sse) hi = m2;
    else lo = m1;
  }
  const c = (lo + hi) / 2;
  const { a, b, sse } = solve(c);
  // Back to n in tokens: b·(n/scale)^-c = (b·scale^c)·n^-c.
  return { a, b: b * scale ** c, c, rmse: Math.sqrt(sse / points.length) };
}

/** A fitted parameter over seeds: its spread and a 95% confidence interval of the mean (Student t). */
export interface Interval extends Spread {
  low: number;
  high: number;
}

export function interval(values: number[]): Interval {
  const s = spread(values);
  const half = values.length > 1 ? studentT975(values.length - 1) * (s.sd / Math.sqrt(values.length)) : 0;
  return { ...s, low: s.mean - half, high: s.mean + half };
}

/** The 97.5% quantile of Student's t: exact for 1-10 degrees of freedom, Cornish-Fisher beyond. */
function studentT975(df: number): number {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];
  if (df <= table.length) return table[df - 1];
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

/** The fit of one curve in every seed, and each parameter's interval over seeds. */
export interface CurveFit {
  /** What was fitted: L = ln(perplexity), nats per scored word, against training tokens. */
  loss: 'ln-perplexity';
  a: Interval;
  b: Interval;
  c: Interval;
  rmse: Interval;
  perSeed: PowerLaw[];
}

/** Fit every seed's points (x = tokens, L = ln perplexity) and summarise over seeds. */
export function fitCurve(perSeed: readonly (readonly [number, number])[][]): CurveFit {
  const fits = perSeed.map((points) => fitPowerLaw(points.map(([x, ppl]) => [x, Math.log(ppl)] as const)));
  const over = (k: keyof PowerLaw) => interval(fits.map((f) => f[k]));
  return { loss: 'ln-perplexity', a: over('a'), b: over('b'), c: over('c'), rmse: over('rmse'), perSeed: fits };
}
