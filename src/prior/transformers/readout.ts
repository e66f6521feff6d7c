/**
 * Per-position statistics read straight out of the model's output. The ONNX graph emits
 * log_softmax under the name `logits`, so a row is already a normalized log-distribution: no
 * log-sum-exp here, and no copies: every function takes the flat Float32Array and a row offset.
 *
 * A row has one entry per vocabulary id (8192 for the bundled model), and every statistic but the
 * actual token's log-probability costs a pass over it. The read-out therefore does only the passes
 * a caller asked for: profiling the editing pass showed the top-k pass at every position cost a
 * quarter of the forward pass, while ToEdit needs candidates only where it resamples.
 */

import type { ReadoutPlan } from '../readout-plan.js';
import type { TokenScores } from '../types.js';

/** Where the statistics of one scored position go: the document's score arrays. */
export type ScoreSink = TokenScores;

/**
 * Reads the statistics of the scored positions of one forward pass's output, rows of
 * data[base .. base+vocab): the log-probability of the actual token always; its rank, the row's
 * entropy (and variance of log p) and the `sink.topK` most probable emittable tokens (ties go to
 * the lower id) as `plan` asks.
 *
 * Most positions need only their rank: one pass over a 32 KB row. Counting `x > t` with a branch
 * costs a misprediction at every larger entry, and a weak prior's actual token often has hundreds;
 * rankOf counts without branches instead (14 ms instead of 20 ms per 2,048 real rows of held-out
 * batches, on this machine).
 */
export class Readout {
  /** The same bytes as `data`, read as int32 by rankOf. */
  private readonly bits: Int32Array;

  constructor(
    private readonly data: Float32Array,
    private readonly vocab: number,
    private readonly emittable: Uint8Array,
    private readonly plan: ReadoutPlan,
  ) {
    this.bits = new Int32Array(data.buffer, data.byteOffset, data.length);
  }

  position(base: number, target: number, sink: ScoreSink, at: number): void {
    const { data, vocab, plan } = this;
    const t = data[base + target];
    sink.logProb[at] = t;
    if (plan.moments) readMoments(data, base, vocab, sink, at);
    else sink.entropy[at] = plan.entropy ? entropyOf(data, base, vocab) : NaN;
    if (sink.topK > 0 && Math.exp(t) > plan.candidatesAbove) {
      sink.rank[at] = readTopK(data, base, vocab, t, this.emittable, sink, at);
      return;
    }
    clearTopK(sink, at, 0);
    sink.rank[at] = plan.rank ? rankOf(this.bits, base, vocab, base + target) : 0;
  }
}

/**
 * 1 + the number of entries of the row greater than the entry at `targetAt`, for rows of
 * log-probabilities (every entry <= 0, as log_softmax gives them), compared as integers.
 *
 * For floats <= 0 the int32 bit patterns run the other way: the more negative the float, the
 * larger its int32 (-0 is -2^31, -Infinity -8388608). Setting the sign bit turns +0 into -0, so
 * every entry maps to a key in [-2^31, -1], and x > t exactly when key(x) < key(t). The
 * difference of two such keys fits in an int32, and its sign bit (>>> 31) is the comparison.
 */
function rankOf(bits: Int32Array, base: number, vocab: number, targetAt: number): number {
  const t = bits[targetAt] | 0x80000000;
  // Two counters over alternate entries: 19 -> 14 ms per 2,048 rows, whether or not V8 inlines
  // this function (one counter is as fast only when it is inlined into the caller's loop).
  let even = 0;
  let odd = 0;
  const end = base + vocab;
  const pairsEnd = base + (vocab & ~1);
  let p = base;
  for (; p < pairsEnd; p += 2) {
    even += ((bits[p] | 0x80000000) - t) >>> 31;
    odd += ((bits[p + 1] | 0x80000000) - t) >>> 31;
  }
  if (p < end) even += ((bits[p] | 0x80000000) - t) >>> 31;
  return 1 + even + odd;
}

/**
 * The top-k pass, which counts the rank on the way (its comparison is nearly free next to the
 * list upkeep). The list is kept sorted in the sink itself: the common case is one comparison
 * against the current k-th value, and insertions become rare after the first few hundred ids.
 */
function readTopK(data: Float32Array, base: number, vocab: number, t: number, emittable: Uint8Array, sink: ScoreSink, at: number): number {
  const k = sink.topK;
  const ids = sink.topIds;
  const lps = sink.topLogProbs;
  const top = at * k;
  let filled = 0;
  let kth = -Infinity; // the smallest kept value once the list is full
  let rank = 1;
  const end = base + vocab;
  for (let p = base; p < end; p++) {
    const x = data[p];
    if (x > t) rank++;
    if (x > kth || (filled < k && x === kth)) {
      const v = p - base;
      if (emittable[v] !== 1) continue;
      // Insert after every entry >= x (earlier ids win ties), dropping the last if full.
      let j = filled < k ? filled++ : k - 1;
      while (j > 0 && lps[top + j - 1] < x) {
        lps[top + j] = lps[top + j - 1];
        ids[top + j] = ids[top + j - 1];
        j--;
      }
      lps[top + j] = x;
      ids[top + j] = v;
      if (filled === k) kth = lps[top + k - 1];
    }
  }
  // Fewer emittable tokens than k (never with a real vocabulary): pad with -Infinity / -1.
  clearTopK(sink, at, filled);
  return rank;
}

function clearTopK(sink: ScoreSink, at: number, from: number): void {
  for (let j = from; j < sink.topK; j++) {
    sink.topIds[at * sink.topK + j] = -1;
    sink.topLogProbs[at * sink.topK + j] = -Infinity;
  }
}

function entropyOf(data: Float32Array, base: number, vocab: number): number {
  let entropy = 0;
  for (let v = base; v < base + vocab; v++) {
    const x = data[v];
    // exp(-40) * 40 ~ 2e-16: terms below that cannot move a float32 entropy, and skipping their
    // exp is most of this loop's time.
    if (x > -40) entropy -= Math.exp(x) * x;
  }
  return entropy;
}

/**
 * Entropy and Var[log p] of the row. The entropy sum is entropyOf's, term for term, so asking for
 * moments leaves the entropy bit-identical; the second moment is accumulated beside it in doubles
 * and the variance taken before rounding to float32 (it is a small difference of two large sums).
 */
function readMoments(data: Float32Array, base: number, vocab: number, sink: ScoreSink, at: number): void {
  let entropy = 0;
  let second = 0;
  for (let v = base; v < base + vocab; v++) {
    const x = data[v];
    if (x > -40) {
      const px = Math.exp(x) * x;
      entropy -= px;
      second += px * x;
    }
  }
  sink.entropy[at] = entropy;
  sink.logProbVariance![at] = Math.max(0, second - entropy * entropy);
}

/**
 * Turn raw logits into log-probabilities in place, row by row. Only for graphs that do not apply
 * log_softmax themselves (e.g. a hub model exported by Optimum); the bundled model's graph does,
 * because doing this in JavaScript for every position costs more than the forward pass.
 */
export function logSoftmaxRows(data: Float32Array, vocab: number): void {
  for (let base = 0; base < data.length; base += vocab) {
    let max = -Infinity;
    for (let v = 0; v < vocab; v++) if (data[base + v] > max) max = data[base + v];
    let sum = 0;
    for (let v = 0; v < vocab; v++) sum += Math.exp(data[base + v] - max);
    const shift = max + Math.log(sum);
    for (let v = 0; v < vocab; v++) data[base + v] -= shift;
  }
}
