import type { Rng } from '../../random.js';
import type { SamplingOptions, TokenDistribution } from '../types.js';
import type { KneserNeyModel } from './kneser-ney.js';
import { BOS, UNK } from './vocabulary.js';

const emittable = (id: number) => id !== BOS && id !== UNK;

/**
 * The next-token distribution after a history. Only the last n-1 ids matter, so that is all it
 * keeps (a shorter history is the start of a document: the model pads it with <s>);
 * probabilities and draws are computed on demand from the model. A decoding session, whose
 * sequences only grow, passes `growsOnly` and the history is read in place up to its present
 * length instead of copied (an allocation per token of generated text).
 */
export class NGramDistribution implements TokenDistribution {
  private readonly context: ArrayLike<number>;
  private readonly end: number;

  constructor(
    private readonly model: KneserNeyModel,
    history: ArrayLike<number>,
    growsOnly = false,
  ) {
    const n = Math.min(history.length, model.order - 1);
    if (growsOnly) {
      this.context = history;
      this.end = history.length;
      return;
    }
    const context = new Int32Array(n);
    for (let i = 0; i < n; i++) context[i] = history[history.length - n + i];
    this.context = context;
    this.end = n;
  }

  prob(id: number): number {
    return this.model.probOf(this.context, this.end, id);
  }

  logProb(id: number): number {
    return Math.log(this.prob(id));
  }

  sample(rng: Rng, options: SamplingOptions): number {
    return this.model.sample(this.context, rng, options, emittable, this.end);
  }
}
