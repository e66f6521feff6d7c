import type { Rng } from '../../random.js';
import { isPureSampling, sampleDense } from '../sampling.js';
import type { SamplingOptions, TokenDistribution } from '../types.js';
import type { KneserNeyModel, SparseDistributionData } from './kneser-ney.js';
import { BOS, UNK } from './vocabulary.js';

const emittable = (id: number) => id !== BOS && id !== UNK;

/** One next-token distribution of the Kneser-Ney model: p(w) = extra(w) + g · p1(w). */
export class NGramDistribution implements TokenDistribution {
  constructor(
    private readonly model: KneserNeyModel,
    private readonly data: SparseDistributionData,
  ) {}

  prob(id: number): number {
    const { ids, extra, g } = this.data;
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ids[mid] < id) lo = mid + 1;
      else hi = mid;
    }
    return (lo < ids.length && ids[lo] === id ? extra[lo] : 0) + g * this.model.p1[id];
  }

  logProb(id: number): number {
    return Math.log(this.prob(id));
  }

  sample(rng: Rng, options: SamplingOptions): number {
    if (!isPureSampling(options)) return sampleDense(this.denseLogProbs(), rng, options, emittable);
    // Pure sampling without materialising V entries: pick the sparse or the dense part by its
    // mass, then a token within it. `<unk>` is not a word we can write: draw again.
    const { ids, extra, g } = this.data;
    let sparseMass = 0;
    for (const e of extra) sparseMass += e;
    for (;;) {
      let u = rng.next() * (sparseMass + g);
      let id = -1;
      if (u < sparseMass) {
        for (let j = 0; j < ids.length && id < 0; j++) if ((u -= extra[j]) < 0) id = ids[j];
        if (id < 0) id = ids[ids.length - 1];
      } else {
        id = this.model.sampleUnigram((u - sparseMass) / g);
      }
      if (emittable(id)) return id;
    }
  }

  private denseLogProbs(): Float64Array {
    const { p1 } = this.model;
    const { ids, extra, g } = this.data;
    const out = new Float64Array(p1.length);
    for (let i = 0; i < out.length; i++) out[i] = g * p1[i];
    for (let j = 0; j < ids.length; j++) out[ids[j]] += extra[j];
    for (let i = 0; i < out.length; i++) out[i] = Math.log(out[i]);
    return out;
  }
}
