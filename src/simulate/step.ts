import { rngFor } from '../random.js';
import type { ModelConfig, SimulationConfig } from './config.js';
import { type Corpus, type Doc, type SeedData, lengthsFor } from './data.js';
import { heldoutPerplexity } from '../prior/ngram/id-model.js';
import { type Reference, type StepMetrics, corpusMetrics } from './metrics.js';
import { type SimModel, trainModel } from './model.js';

/** One point of a curve: a trained model (x = generation, synthetic share or training tokens). */
export interface Step {
  x: number;
  metrics: StepMetrics;
}

export interface Curve {
  label: string;
  steps: Step[];
}

/** What one regime produced for one seed. */
export interface RegimeRun {
  name: string;
  type: SimulationConfig['regimes'][number]['type'];
  axis: 'generation' | 'share' | 'tokens';
  curves: Curve[];
}

/** Everything the regimes of one repeat share. */
export interface SimContext {
  config: SimulationConfig;
  seed: number;
  data: SeedData;
  ref: Reference;
  /** Generation-0 models per model config (every regime starts from the same one). */
  firstModels: Map<string, { model: SimModel; metrics: StepMetrics }>;
  /**
   * The same Brown train order with the vocabulary of all of it (made on first use): for curves
   * whose training sets run past the real set, so no size turns words into `<unk>` that another
   * size keeps, and every size is scored on the same held-out words.
   */
  wide: () => SeedData;
}

export function train(ctx: SimContext, model: ModelConfig, corpus: Corpus): SimModel {
  return trainModel(model, corpus, ctx.data.vocab);
}

/** Held-out perplexity of a model over `data`'s vocabulary (floored, `<unk>` not scored). */
export function perplexity(ctx: SimContext, model: SimModel, data = ctx.data): number {
  return heldoutPerplexity(model, data.heldout, ctx.config.floor, data.vocab.size);
}

/** Held-out perplexity and the training corpus's statistics, plus any regime-specific values. */
export function evaluate(ctx: SimContext, model: SimModel, corpus: Corpus, extra: StepMetrics = {}): StepMetrics {
  return {
    perplexity: perplexity(ctx, model),
    ...corpusMetrics(corpus, ctx.ref, ctx.config.topK),
    ...extra,
  };
}

/** The model trained on the real set, and its metrics: generation 0 of every regime. */
export function firstModel(ctx: SimContext, config: ModelConfig): { model: SimModel; metrics: StepMetrics } {
  const key = JSON.stringify(config);
  let first = ctx.firstModels.get(key);
  if (!first) {
    const model = train(ctx, config, ctx.data.real);
    first = { model, metrics: evaluate(ctx, model, ctx.data.real) };
    ctx.firstModels.set(key, first);
  }
  return first;
}

/**
 * `tokens` synthetic tokens from `model`, in documents shaped like the real set's. Document j
 * draws from its own stream (seed, stage, j), so a set never depends on what else ran.
 */
export function synthesize(ctx: SimContext, model: SimModel, tokens: number, stage: string, temperature = 1): Doc[] {
  return lengthsFor(tokens, ctx.data.real).map((n, j) => model.sampleDoc(n, rngFor(ctx.seed, stage, `doc${j}`), temperature));
}
