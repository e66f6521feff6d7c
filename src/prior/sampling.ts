import type { Rng } from '../random.js';
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
 * O(V), top-k and top-p included (expected: they are selections, see selectByMass).
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
  // Keep the most probable tokens: at most topK, and the smallest prefix whose mass reaches topP
  // (in the order most probable first, ties to the lower id), then draw along that order. Both
  // steps are selections by mass over that order, done by partitioning (expected O(V)) rather
  // than by sorting or a heap: at top-p 0.9 a weak model's nucleus holds hundreds to thousands of
  // tokens, and popping them one by one was three quarters of a draw.
  let kept = n;
  if (topK > 0 && topK < kept) kept = selectByMass(ids, weights, kept, Infinity, topK);
  if (topP < 1) kept = selectByMass(ids, weights, kept, topP * total, kept);
  let mass = 0;
  for (let j = 0; j < kept; j++) mass += weights[j];
  const u = rng.next() * mass;
  return ids[selectByMass(ids, weights, kept, u, kept, true) - 1];
}

/** Whether entry i comes before entry j: more probable first, ties to the lower id. */
function before(ids: Int32Array, weights: Float64Array, i: number, j: number): boolean {
  return weights[i] > weights[j] || (weights[i] === weights[j] && ids[i] < ids[j]);
}

/**
 * Rearrange entries [0, n) so that the first k of the order "most probable first" come first (in
 * some order) and return k: the smallest k whose mass reaches `target` (exceeds it when `strict`,
 * the test a draw makes), capped at `limit`. When rounding leaves the target above the whole
 * mass, the cap decides: a draw then takes the least probable entry, as a sequential walk would.
 * Quickselect with the middle entry as pivot, iterative.
 */
function selectByMass(ids: Int32Array, weights: Float64Array, n: number, target: number, limit: number, strict = false): number {
  let lo = 0;
  let hi = n;
  let massBefore = 0; // mass of [0, lo), all of which precede [lo, hi)
  const reached = (m: number) => (strict ? m > target : m >= target);
  while (lo < hi) {
    swap(ids, weights, lo + ((hi - lo) >> 1), hi - 1);
    const pivot = hi - 1;
    let m = lo;
    let leftMass = 0;
    for (let i = lo; i < pivot; i++) {
      if (before(ids, weights, i, pivot)) {
        leftMass += weights[i];
        swap(ids, weights, i, m++);
      }
    }
    swap(ids, weights, m, pivot); // the pivot now sits at m, after everything before it
    if (m >= limit) {
      hi = m; // the count cap falls inside the left part
    } else if (reached(massBefore + leftMass)) {
      hi = m;
    } else if (reached(massBefore + leftMass + weights[m]) || m + 1 >= limit) {
      return m + 1;
    } else {
      massBefore += leftMass + weights[m];
      lo = m + 1;
    }
  }
  return Math.max(1, lo); // only for a target <= 0: the most probable entry, now first
}

function swap(ids: Int32Array, weights: Float64Array, i: number, j: number): void {
  const id = ids[i];
  ids[i] = ids[j];
  ids[j] = id;
  const w = weights[i];
  weights[i] = weights[j];
  weights[j] = w;
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
