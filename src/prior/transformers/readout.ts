/**
 * Per-position statistics read straight out of the model's output. The ONNX graph emits
 * log_softmax under the name `logits`, so a row is already a normalized log-distribution: no
 * log-sum-exp here, and no copies: every function takes the flat Float32Array and a row offset.
 */

import type { TokenScores } from '../types.js';

/** Where the statistics of one scored position go: the document's score arrays. */
export type ScoreSink = TokenScores;

/**
 * Fill position `at` of `sink` from the row data[base .. base+vocab): log-probability and rank of
 * `target`, the entropy of the row, and its `sink.topK` most probable emittable tokens (ties go to
 * the lower id). One pass over the row; the top-k list is kept sorted in the sink itself, so the
 * cost is O(V) plus O(k) per insertion, and insertions become rare after the first few hundred ids.
 */
export function readPosition(
  data: Float32Array,
  base: number,
  vocab: number,
  target: number,
  emittable: Uint8Array,
  sink: ScoreSink,
  at: number,
  withEntropy = true,
): void {
  const k = sink.topK;
  const ids = sink.topIds;
  const lps = sink.topLogProbs;
  const top = at * k;
  let filled = 0;
  let kth = -Infinity; // the smallest kept value once the list is full
  const t = data[base + target];
  let rank = 1;
  let entropy = 0;
  for (let v = 0; v < vocab; v++) {
    const x = data[base + v];
    if (x > t) rank++;
    // exp(-40) * 40 ~ 2e-16: terms below that cannot move a float32 entropy. The exp is ~70% of
    // this loop's time, hence the switch.
    if (withEntropy && x > -40) entropy -= Math.exp(x) * x;
    if (k > 0 && emittable[v] === 1 && (filled < k || x > kth)) {
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
  sink.logProb[at] = t;
  sink.rank[at] = rank;
  sink.entropy[at] = withEntropy ? entropy : NaN;
  // Fewer emittable tokens than k (never with a real vocabulary): pad with -Infinity / -1.
  for (let j = filled; j < k; j++) {
    ids[top + j] = -1;
    lps[top + j] = -Infinity;
  }
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
