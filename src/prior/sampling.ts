import type { Rng } from '../random.js';
import { MaxHeap } from './max-heap.js';
import type { SamplingOptions } from './types.js';

/** Sampling as most generation libraries do it: temperature first, then top-k, then top-p. */
export const PURE_SAMPLING: SamplingOptions = { temperature: 1, topK: 0, topP: 1 };

export function isPureSampling(o: SamplingOptions): boolean {
  return o.temperature === 1 && o.topK === 0 && o.topP >= 1;
}

/**
 * Draw from a dense next-token distribution given as log-probabilities (any additive shift is
 * fine). Tokens for which `emittable` is false are never drawn; temperature 0 is greedy.
 * O(V) for temperature-only sampling; with top-k/top-p, O(V + m log V) where m is the number of
 * tokens kept (a heap, not a full sort: at V = 8192 that is most of the cost of a draw).
 */
export function sampleDense(
  logProbs: ArrayLike<number>,
  rng: Rng,
  options: SamplingOptions,
  emittable: (id: number) => boolean,
): number {
  const { temperature, topK, topP } = options;
  if (!(temperature > 0)) return argmax(logProbs, emittable);
  const v = logProbs.length;
  let max = -Infinity;
  for (let i = 0; i < v; i++) if (emittable(i) && logProbs[i] > max) max = logProbs[i];
  if (max === -Infinity) throw new Error('sampleDense: no emittable token has positive probability');
  const ids = new Int32Array(v);
  const weights = new Float64Array(v);
  let n = 0;
  let total = 0;
  for (let i = 0; i < v; i++) {
    if (!emittable(i) || logProbs[i] === -Infinity) continue;
    ids[n] = i;
    total += weights[n++] = Math.exp((logProbs[i] - max) / temperature);
  }
  if ((topK <= 0 || topK >= n) && topP >= 1) return ids[drawIndex(weights, n, total, rng)];
  // Keep the most probable tokens: at most topK, and the smallest prefix whose mass reaches topP.
  const heap = new MaxHeap(ids, weights, n);
  const keptIds: number[] = [];
  const keptWeights: number[] = [];
  let kept = 0;
  const limit = topK > 0 ? topK : n;
  while (keptIds.length < limit && heap.size > 0 && (topP >= 1 || kept < topP * total)) {
    const [id, w] = heap.pop();
    keptIds.push(id);
    keptWeights.push(w);
    kept += w;
  }
  return keptIds[drawIndex(keptWeights, keptIds.length, kept, rng)];
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
