import type { Rng } from '../../random.js';
import { sampleDense } from '../sampling.js';
import type { SamplingOptions, TokenDistribution } from '../types.js';

/**
 * One next-token distribution: a view of a model output row (log-probabilities), never copied.
 * Sampling is `sampleDense` on the row, so temperature / top-k / top-p mean exactly what they mean
 * for every other prior. The mask decides what may be drawn: the emittable tokens, plus the end
 * tokens in a generation session that stops at them (prior.ts beginDecoding).
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
    return sampleDense(this.row, rng, options, this.emittable);
  }
}
