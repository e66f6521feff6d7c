import type { LowerRun, SamplingTable } from './sampling-tables.js';

/**
 * A pure-sampling draw from a context's tables that gives the token the sequential walk gives
 * (sample.ts `walkDraw`) for the same uniform r, or -1 when it cannot be sure.
 *
 * The walk computes u = r · (S + g), then subtracts weights one by one in touched order until u
 * goes below 0 (or draws the dense part with what is left). Rounding is monotone, so the walk's
 * answer only moves one way as u does; and the prefix sums here differ from the walk's running
 * values by at most the table's slack. So each step searches the prefix sums for the bounds of
 * an interval that surely holds the walk's value: when both bounds give the same index, that is
 * the walk's index. They differ only when r falls within about 1e-12 of a boundary between two
 * tokens; then the caller walks (the same token for the same seed, always).
 */
export function fastDraw(t: SamplingTable, r: number, lowerPrefix: Float64Array, cumP1: Float64Array): number {
  const e = t.slack;
  // u = r · (S + g) for the exact S somewhere in [S - e, S + e].
  const sLo = t.sparseMass - e;
  const sHi = t.sparseMass + e;
  const uLo = r * (sLo + t.g);
  const uHi = r * (sHi + t.g);
  if (uHi < sLo) {
    const n = t.n;
    const cum = t.cum;
    const a = firstAbove(cum, n, uLo - e);
    const b = firstAbove(cum, n, uHi + e);
    if (a !== b) return -1;
    if (a < n) return t.ids[a];
    // Past the own followers: on among the level below's, with what the walk has left.
    if (t.lower === null) return -1;
    const done = n > 0 ? cum[n - 1] : 0;
    return lowerDraw(t.lower, uLo - done - e, uHi - done + e, e, lowerPrefix);
  }
  if (uLo >= sHi) {
    // The dense part: (u - S) / g through p1's inverse CDF, as the walk computes it.
    const total = cumP1[cumP1.length - 1];
    const a = upperBound(cumP1, ((uLo - sHi) / t.g) * total);
    const b = upperBound(cumP1, ((uHi - sLo) / t.g) * total);
    return a === b ? a : -1;
  }
  return -1;
}

/** The walk's id among the level below's followers for a residual in [lo, hi], or -1. */
function lowerDraw(run: LowerRun, lo: number, hi: number, e: number, prefix: Float64Array): number {
  const n = run.end - run.start;
  const a = firstLowerAbove(run, prefix, lo - e);
  const b = firstLowerAbove(run, prefix, hi + e);
  return a === b && a < n ? run.words[run.start + a] : -1;
}

/**
 * First p with the walk's running total at position start + p above x: the group's prefix sum
 * minus those of the excluded positions up to it, times inv (non-decreasing in p); or n.
 */
function firstLowerAbove(run: LowerRun, prefix: Float64Array, x: number): number {
  const { start, excluded, excludedCum, inv, nExcluded } = run;
  let lo = 0;
  let hi = run.end - start;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const k = upperBoundInt(excluded, nExcluded, start + mid);
    if (inv * (prefix[start + mid] - (k > 0 ? excludedCum[k - 1] : 0)) > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** First p < n with cum[p] > x (cum non-decreasing), or n. */
function firstAbove(cum: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Number of the first n entries of the ascending `xs` that are <= x. */
function upperBoundInt(xs: Int32Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose cumulative value exceeds `target` (inverse CDF), the last index at most. */
export function upperBound(cum: Float64Array, target: number): number {
  return firstAbove(cum, cum.length - 1, target);
}
