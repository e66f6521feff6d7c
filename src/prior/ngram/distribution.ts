import type { Rng } from '../../random.js';
import type { SamplingOptions, TokenDistribution } from '../types.js';
import type { KneserNeyModel } from './kneser-ney.js';
import { BOS, UNK } from './vocabulary.js';

const emittable = (id: number) => id !== BOS && id !== UNK;

/**
 * The next-token distribution after a history. Only the last n-1 ids matter, so that is all it
 * keeps (a shorter history is the start of a document: the model pads it with <s>);
 * probabilities and draws are computed on demand from the model.
 */
export class NGramDistribution implements TokenDistribution {
  private readonly context: Int32Array;

  constructor(
    private readonly model: KneserNeyModel,
    history: ArrayLike<number>,
  ) {
    const n = Math.min(history.length, model.order - 1);
    this.context = Int32Array.from({ length: n }, (_, i) => history[history.length - n + i]);
  }

  prob(id: number): number {
    return this.model.probOf(this.context, this.context.length, id);
  }

  logProb(id: number): number {
    return Math.log(this.prob(id));
  }

  sample(rng: Rng, options: SamplingOptions): number {
    return this.model.sample(this.context, rng, options, emittable);
  }
}
