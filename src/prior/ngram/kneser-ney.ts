import type { Rng } from '../../random.js';
import type { SamplingOptions } from '../types.js';
import type { ReadoutPlan } from '../readout-plan.js';
import { BackoffTables } from './backoff.js';
import type { Discounts } from './context-index.js';
import type { GramColumns } from './grams.js';
import { Sampler } from './sample.js';
import { FULL_PLAN, type PositionScores, Scorer } from './score.js';
import type { Vocabulary } from './vocabulary.js';

/**
 * Interpolated modified Kneser-Ney (Chen & Goodman 1998) over a fixed vocabulary: the public face
 * of the model. Each job lives in its own module, and this class only wires them together:
 *   context-index.ts  the n-grams grouped by context, found by integer lookups;
 *   backoff.ts  the tables, the dense unigram part and the back-off probability queries;
 *   lower.ts    the cached lower-order distribution that scoring and top-k read;
 *   follower-summary.ts  what a top-order context fixes: rank tables, entropy, candidates;
 *   score.ts    log-probability, rank, entropy and variance of a position, as a plan asks;
 *   top-k.ts    the k most probable candidates of a position;
 *   sample.ts   drawing the next token, pure or shaped (temperature, top-k, top-p).
 * They share one `BackoffTables` (with its scratch space), so the memory is that of one model.
 */
export class KneserNeyModel {
  readonly order: number;
  readonly vocab: Vocabulary;
  readonly trainingTokens: number;
  /** Interpolated unigram probabilities, 0 for `<s>` (never predicted). */
  readonly p1: Float64Array;
  private readonly kn: BackoffTables;
  private readonly scorer: Scorer;
  private readonly sampler: Sampler;

  /** `top`: the distinct n-grams of the highest order and their counts, in ascending id order. */
  constructor(top: GramColumns, trainingTokens: number, vocab: Vocabulary) {
    this.kn = new BackoffTables(top, vocab.size);
    this.order = this.kn.order;
    this.vocab = vocab;
    this.trainingTokens = trainingTokens;
    this.p1 = this.kn.p1;
    this.scorer = new Scorer(this.kn);
    this.sampler = new Sampler(this.kn);
  }

  /** Number of distinct n-grams per order, for model cards and manifests. */
  get sizes(): number[] {
    return this.kn.sizes;
  }

  get discounts(): readonly Discounts[] {
    return this.kn.discount;
  }

  /** p(x | the context before position `end` of `history`). */
  probOf(history: ArrayLike<number>, end: number, x: number): number {
    return this.kn.probOf(history, end, x);
  }

  /** Score token `history[i]` into `out` at index i, what `plan` asks (see `Scorer.scorePosition`). */
  scorePosition(history: ArrayLike<number>, i: number, k: number, out: PositionScores, plan: ReadoutPlan = FULL_PLAN): void {
    this.scorer.scorePosition(history, i, k, plan, out);
  }

  /** Draw the next token after `history` (its first `end` ids), redrawing tokens `emittable` rejects. */
  sample(history: ArrayLike<number>, rng: Rng, options: SamplingOptions, emittable: (id: number) => boolean, end = history.length): number {
    return this.sampler.sample(history, rng, options, emittable, end);
  }
}
