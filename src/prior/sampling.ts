import type { Rng } from '../random.js';
import type { SamplingOptions } from './types.js';

/** Sampling as most generation libraries do it: temperature first, then top-k, then top-p. */
export const PURE_SAMPLING: SamplingOptions = { temperature: 1, topK: 0, topP: 1 };

export function isPureSampling(o: SamplingOptions): boolean {
  return o.temperature === 1 && o.topK === 0 && o.topP >= 1;
}

/**
 * Draw from a dense next-token distribution given as log-probabilities (any additive shift is
 * fine). Tokens for which `emittable` is false are never drawn. O(V) for pure sampling,
 * O(V + K log K) with top-k/top-p, where K is the number of tokens kept.
 */
export function sampleDense(
  logProbs: ArrayLike<number>,
  rng: Rng,
  options: SamplingOptions,
  emittable: (id: number) => boolean,
): number {
  const { temperature, topK, topP } = options;
  if (!(temperature > 0)) return argmax(logProbs, emittable); // temperature 0: greedy
  const v = logProbs.length;
  let ids: number[] = [];
  for (let i = 0; i < v; i++) if (emittable(i) && logProbs[i] > -Infinity) ids.push(i);
  if (ids.length === 0) throw new Error('sampleDense: no emittable token has positive probability');
  if ((topK > 0 && topK < ids.length) || topP < 1) {
    ids.sort((a, b) => logProbs[b] - logProbs[a] || a - b);
    if (topK > 0 && topK < ids.length) ids = ids.slice(0, topK);
  }
  let max = -Infinity;
  for (const i of ids) max = Math.max(max, logProbs[i] / temperature);
  const weights = new Float64Array(ids.length);
  let total = 0;
  for (let j = 0; j < ids.length; j++) total += weights[j] = Math.exp(logProbs[ids[j]] / temperature - max);
  let count = ids.length;
  if (topP < 1) {
    // Smallest prefix (in descending order) whose mass reaches topP; always at least one token.
    let cum = 0;
    count = 0;
    while (count < ids.length) {
      cum += weights[count++];
      if (cum >= topP * total) break;
    }
    total = cum;
  }
  return ids[drawIndex(weights, count, total, rng)];
}

/** Index j < count with probability weights[j] / total. */
export function drawIndex(weights: ArrayLike<number>, count: number, total: number, rng: Rng): number {
  let u = rng.next() * total;
  for (let j = 0; j < count; j++) {
    u -= weights[j];
    if (u < 0) return j;
  }
  return count - 1; // rounding left a sliver of mass: the last candidate takes it
}

function argmax(values: ArrayLike<number>, allowed: (id: number) => boolean): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) if (allowed(i) && (best < 0 || values[i] > values[best])) best = i;
  return best;
}
