import type { Rng } from '../random.js';
import { type CountTable, contextRange, forEachContext, forEachFollower, runSumSquares } from './counts.js';
import { resampleCounts } from './mle.js';
import type { StepMetrics } from './metrics.js';

/**
 * Seddik et al.'s formulas checked per context on a corpus. Their model is one context with n
 * samples per generation; a bigram over Brown has one such chain per previous word, each with its
 * own n_c (2 to thousands, and random: it is how often generation g happened to write the word).
 * Conditional on n_c, the followers of c in generation g are n_c draws from the previous model's
 * distribution for c, so the one-step expectations below hold per context exactly (up to a
 * follower being c itself, which nudges n_c). They are averaged over the real set's contexts with
 * the weights of `sumSquares` (real count; contexts seen twice or more).
 *
 * Vanished contexts are counted explicitly: a context generation g no longer continues (its word
 * was not drawn, or only at a document's end) has no distribution left; it is left out of the
 * measurement and of the prediction alike, and `vanished` says how much weight that is. A context
 * continued now but not in the previous generation (it came back through the unigram fall-back)
 * is left out too: its draws did not come from a distribution of its own.
 */

/** MLE replace, generation g: measured Σp² next to S_{g-1} + (1 - S_{g-1}) / n_c and the g-step form. */
export function replaceCheck(first: CountTable, previous: CountTable, now: CountTable, generation: number): StepMetrics {
  let weight = 0;
  let vanished = 0;
  let paired = 0;
  let measured = 0;
  let predicted = 0;
  let fromStart = 0;
  forEachContext(first, (ctx, a0, a1) => {
    const w = first.cum[a1] - first.cum[a0];
    if (w < 2) return;
    weight += w;
    const [b0, b1] = contextRange(now, ctx);
    if (b0 === b1) {
      vanished += w;
      return;
    }
    const [p0, p1] = contextRange(previous, ctx);
    if (p0 === p1) return;
    const before = runSumSquares(previous, p0, p1);
    const n = now.cum[b1] - now.cum[b0];
    paired += w;
    measured += w * runSumSquares(now, b0, b1);
    predicted += w * (before + (1 - before) / n);
    // Seddik's closed form with n fixed at the real count: what the paper's formula says without n_c's randomness.
    fromStart += w * (1 - (1 - 1 / w) ** generation * (1 - runSumSquares(first, a0, a1)));
  });
  const m = measured / paired;
  const p = predicted / paired;
  return { seddikMeasured: m, seddikPredicted: p, seddikError: m / p - 1, seddikFromStart: fromStart / paired, vanished: vanished / weight };
}

/**
 * MLE mix (the real set's N_c followers plus n_c fresh ones drawn from the previous model):
 * the model of context c is p_g = (1 - α) p_1 + α q with α = n_c / (N_c + n_c) and q the n_c
 * draws, so E‖p_g - p_1‖² = α² (‖p_{g-1} - p_1‖² + (1 - S_{g-1}) / n_c) given the previous model;
 * iterated with n fixed at ratio · N it tends to α² (1 - S_1) / (n (1 - α² (1 - 1/n))), the same
 * for every later generation: Seddik's partially synthetic regime, drift bounded in generations.
 * Per follower that limit is gain · p_j (1 - p_j), so Σ_j sqrt of it bounds the expected L1 drift
 * (the quantity the paper bounds, E‖p^(m) - p^(1)‖₁) whatever the generation.
 * Weighted by real count over every context of the real set (none can vanish: the real set is there).
 */
export function mixCheck(first: CountTable, previous: CountTable, now: CountTable, ratio: number): StepMetrics {
  let weight = 0;
  let measured = 0;
  let predicted = 0;
  let stationary = 0;
  let l1Bound = 0;
  forEachContext(first, (ctx, a0, a1) => {
    const real = first.cum[a1] - first.cum[a0];
    const [p0, p1] = contextRange(previous, ctx);
    const [b0, b1] = contextRange(now, ctx);
    const n = now.cum[b1] - now.cum[b0] - real;
    const s1 = runSumSquares(first, a0, a1);
    weight += real;
    measured += real * squaredDistance(first, a0, a1, now, b0, b1);
    if (n > 0) {
      const alpha = n / (real + n);
      predicted += real * alpha ** 2 * (squaredDistance(first, a0, a1, previous, p0, p1) + (1 - runSumSquares(previous, p0, p1)) / n);
    }
    const nBar = ratio * real;
    const aBar = ratio / (1 + ratio);
    const gain = aBar ** 2 / (nBar * (1 - aBar ** 2 * (1 - 1 / nBar)));
    stationary += real * gain * (1 - s1);
    // Per follower j the limit is gain · p_j (1 - p_j), and E|x_j| ≤ sqrt(E x_j²): a bound on the L1 drift.
    let roots = 0;
    for (let j = a0; j < a1; j++) roots += Math.sqrt((first.counts[j] / real) * (1 - first.counts[j] / real));
    l1Bound += real * Math.sqrt(gain) * roots;
  });
  const m = measured / weight;
  const p = predicted / weight;
  return { drift2: m, drift2Predicted: p, drift2Error: m / p - 1, drift2Stationary: stationary / weight, driftBound: l1Bound / weight };
}

/** ‖p - q‖² between the distributions of two runs of one context. */
function squaredDistance(a: CountTable, a0: number, a1: number, b: CountTable, b0: number, b1: number): number {
  const ta = a.cum[a1] - a.cum[a0];
  const tb = b.cum[b1] - b.cum[b0];
  let d = 0;
  forEachFollower(a, a0, a1, b, b0, b1, (ca, cb) => (d += (ca / ta - cb / tb) ** 2));
  return d;
}

/**
 * The collapse time the paper's model predicts for this corpus: every context of the real set
 * seen twice or more runs Seddik's chain on its own (n = its real count, resampled each
 * generation) until half of them are one-hot; that generation is returned (`limit` if never).
 * Also the median n, since the paper puts a context's collapse between order n and n² generations.
 */
export function halfOneHotChain(first: CountTable, rng: Rng, limit = 1000): { halfOneHotChain: number; contextCountMedian: number } {
  const chains: Int32Array[] = [];
  const sizes: number[] = [];
  forEachContext(first, (_ctx, a0, a1) => {
    const w = first.cum[a1] - first.cum[a0];
    if (w < 2) return;
    chains.push(first.counts.slice(a0, a1));
    sizes.push(w);
  });
  const half = chains.length / 2;
  const oneHot = (c: Int32Array) => c.filter((x) => x > 0).length === 1;
  let collapsed = chains.filter(oneHot).length;
  let g = 0;
  while (collapsed < half && g < limit) {
    g++;
    collapsed = 0;
    chains.forEach((c, i) => {
      if (!oneHot(c)) chains[i] = resampleCounts(c, sizes[i], rng);
      if (oneHot(chains[i])) collapsed++;
    });
  }
  const sorted = sizes.sort((a, b) => a - b);
  return { halfOneHotChain: g, contextCountMedian: sorted[Math.floor(sorted.length / 2)] };
}
