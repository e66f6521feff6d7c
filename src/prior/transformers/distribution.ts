import type { Rng } from '../../random.js';
import { sampleDense } from '../sampling.js';
import type { SamplingOptions, TokenDistribution } from '../types.js';

/**
 * One next-token distribution: a view of a model output row (log-probabilities), never copied.
 * Sampling draws exactly what `sampleDense` would draw on the whole row with the same Rng; with
 * top-k on, it first keeps the k best emittable ids with a small buffer (ordered like sampleDense
 * orders them: log-prob descending, then id), so it does not sort all V entries per step.
 */
export class DenseDistribution implements TokenDistribution {
  constructor(
    private readonly row: Float32Array,
    private readonly emittable: Uint8Array,
  ) {}

  logProb(id: number): number {
    return id >= 0 && id < this.row.length ? this.row[id] : -Infinity;
  }

  sample(rng: Rng, options: SamplingOptions): number {
    const isEmittable = (id: number): boolean => this.emittable[id] === 1;
    const k = options.topK;
    if (!(options.temperature > 0) || !(k > 0) || k >= this.row.length) {
      return sampleDense(this.row, rng, options, isEmittable);
    }
    const ids = new Int32Array(k);
    const lps = new Float32Array(k);
    let filled = 0;
    const row = this.row;
    for (let v = 0; v < row.length; v++) {
      const x = row[v];
      if (this.emittable[v] !== 1 || x === -Infinity) continue;
      if (filled === k && !(x > lps[k - 1])) continue;
      let j = filled < k ? filled++ : k - 1;
      while (j > 0 && lps[j - 1] < x) {
        lps[j] = lps[j - 1];
        ids[j] = ids[j - 1];
        j--;
      }
      lps[j] = x;
      ids[j] = v;
    }
    const picked = sampleDense(lps.subarray(0, filled), rng, options, () => true);
    return ids[picked];
  }
}
