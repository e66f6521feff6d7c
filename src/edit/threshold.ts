/**
 * Selection thresholds. ToEdit selects token i (i >= 1) when P(x_i | x_<i) > p. The paper's
 * absolute p = 0.99 assumes a confident prior; small priors rarely are, so the calibrated mode
 * picks p from the corpus itself so that a target share of tokens is selected.
 */
export type Selection = { mode: 'absolute'; p: number } | { mode: 'calibrated'; targetShare: number; maxTokens: number };

export interface Calibration {
  /** The threshold found: tokens with P > p are selected. */
  p: number;
  targetShare: number;
  /** Share of the calibration tokens that P > p actually selects (ties can make it lower). */
  achievedShare: number;
  tokens: number;
}

/**
 * The p for which a share `target` of `probs` lies strictly above p: the (target · n + 1)-th
 * largest probability. With ties at that value, fewer than target · n are above it.
 */
export function calibrateThreshold(probs: Float64Array | Float32Array, target: number): Calibration {
  const n = probs.length;
  if (n === 0) return { p: 1, targetShare: target, achievedShare: 0, tokens: 0 };
  const sorted = Float64Array.from(probs).sort().reverse();
  const k = Math.floor(target * n);
  const p = k >= n ? 0 : sorted[k];
  let above = 0;
  while (above < n && sorted[above] > p) above++;
  return { p, targetShare: target, achievedShare: above / n, tokens: n };
}
