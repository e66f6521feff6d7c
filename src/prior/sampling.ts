import type { Rng } from '../random.js';
import { MaxHeap } from './max-heap.js';
import type { SamplingOptions } from './types.js';

/** Sampling as most generation libraries do it: temperature first, then top-k, then top-p. */
export const PURE_SAMPLING: SamplingOptions = { temperature: 1, topK: 0, topP: 1 };

export function isPureSampling(o: SamplingOptions): boolean {
  return o.temperature === 1 && o.topK === 0 && o.topP >= 1;
}

/** Which ids may be drawn: a 0/1 byte per id, or a fixed predicate (turned into such a mask once). */
export type EmittableSet = Uint8Array | ((id: number) => boolean);

// Scratch space reused across draws: a fresh pair of vocabulary-sized arrays per draw was a tenth
// of generation time in garbage collection. Safe because sampleDense is synchronous.
let scratchIds = new Int32Array(0);
let scratchWeights = new Float64Array(0);

/**
 * Draw from a dense next-token distribution given as log-probabilities (any additive shift is
 * fine). Tokens outside `emittable` are never drawn; temperature 0 is greedy.
 * O(V) for temperature-only sampling; with top-k/top-p, O(V + m log V) where m is the number of
 * tokens kept (a heap, not a full sort: at V = 8192 that is most of the cost of a draw).
 */
export function sampleDense(logProbs: ArrayLike<number>, rng: Rng, options: SamplingOptions, emittable: EmittableSet): number {
  const v = logProbs.length;
  const mask = typeof emittable === 'function' ? maskOf(emittable, v) : emittable;
  const { temperature, topK, topP } = options;
  if (!(temperature > 0)) return argmax(logProbs, mask);
  let max = -Infinity;
  for (let i = 0; i < v; i++) if (mask[i] === 1 && logProbs[i] > max) max = logProbs[i];
  if (max === -Infinity) throw new Error('sampleDense: no emittable token has positive probability');
  if (scratchIds.length < v) {
    scratchIds = new Int32Array(v);
    scratchWeights = new Float64Array(v);
  }
  const ids = scratchIds;
  const weights = scratchWeights;
  let n = 0;
  let total = 0;
  for (let i = 0; i < v; i++) {
    const x = logProbs[i];
    if (mask[i] !== 1 || x === -Infinity) continue;
    ids[n] = i;
    total += weights[n++] = Math.exp((x - max) / temperature);
  }
  if ((topK <= 0 || topK >= n) && topP >= 1) return ids[drawIndex(weights, n, total, rng)];
  // Keep the most probable tokens: at most topK, and the smallest prefix whose mass reaches topP.
  // The heap reorders the scratch arrays; popped entries go back into their freed tail slots,
  // most probable last, so the kept set ends up in ids/weights[n - kept .. n).
  const heap = new MaxHeap(ids, weights, n);
  let kept = 0;
  let mass = 0;
  const limit = topK > 0 ? topK : n;
  while (kept < limit && heap.size > 0 && (topP >= 1 || mass < topP * total)) {
    const [id, w] = heap.pop();
    ids[heap.size] = id;
    weights[heap.size] = w;
    kept++;
    mass += w;
  }
  // Draw in order of probability (most probable first), as the kept list was built.
  let u = rng.next() * mass;
  for (let j = n - 1; j >= n - kept; j--) {
    u -= weights[j];
    if (u < 0) return ids[j];
  }
  return ids[n - kept]; // rounding left a sliver of mass: the last kept candidate takes it
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

// A predicate is turned into a mask once per function and vocabulary size, not once per draw.
const masks = new WeakMap<(id: number) => boolean, Uint8Array>();
function maskOf(emittable: (id: number) => boolean, v: number): Uint8Array {
  let mask = masks.get(emittable);
  if (mask?.length !== v) {
    mask = Uint8Array.from({ length: v }, (_, i) => (emittable(i) ? 1 : 0));
    masks.set(emittable, mask);
  }
  return mask;
}

function argmax(values: ArrayLike<number>, mask: Uint8Array): number {
  let best = -1;
  for (let i = 0; i < values.length; i++) if (mask[i] === 1 && (best < 0 || values[i] > values[best])) best = i;
  return best;
}
