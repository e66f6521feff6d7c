/**
 * Selection thresholds. ToEdit selects token i (i >= 1) when P(x_i | x_<i) > p. The paper's
 * absolute p = 0.99 assumes a confident prior; small priors rarely are, so the calibrated mode
 * picks p from the corpus itself so that a target share of tokens is selected.
 */
export type Selection = { mode: 'absolute'; p: number } | { mode: 'calibrated' | 'changed-share'; targetShare: number; maxTokens: number };

export interface Calibration {
  /** The threshold found: tokens with P > p are selected. */
  p: number;
  targetShare: number;
  /** Share of the calibration tokens that P > p actually selects (ties can make it lower). */
  achievedShare: number;
  tokens: number;
  /** Changed-share mode: the expected share of changed tokens at p (the target, unless every token together falls short). */
  expectedChangedShare?: number;
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

/**
 * The p for which the tokens above it are expected to change `target` of all tokens: `changes[t]`
 * is token t's probability of changing when selected (0 where it can never be selected). Tokens
 * are taken from the most probable down until the expected changes reach the target.
 * Undefined when a token taken has an unknown (NaN) chance of changing.
 */
export function changedShareThreshold(probs: Float64Array, changes: Float64Array, target: number): Calibration | undefined {
  const n = probs.length;
  if (n === 0) return { p: 1, targetShare: target, achievedShare: 0, tokens: 0, expectedChangedShare: 0 };
  const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b);
  let expected = 0;
  let k = 0;
  while (k < n && expected < target * n) expected += changes[order[k++]];
  if (Number.isNaN(expected)) return undefined;
  // Select the k most probable: p is the next one's probability (ties with it are left out).
  const p = k >= n ? 0 : probs[order[k]];
  let above = 0;
  expected = 0;
  for (; above < n && probs[order[above]] > p; above++) expected += changes[order[above]];
  return { p, targetShare: target, achievedShare: above / n, tokens: n, expectedChangedShare: expected / n };
}
