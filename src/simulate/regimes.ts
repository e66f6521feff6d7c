import { rngFor } from '../random.js';
import type { ModelConfig, RegimeConfig } from './config.js';
import { type Corpus, type Doc, subsample, tokenCount } from './data.js';
import { countNGrams } from './counts.js';
import type { StepMetrics } from './metrics.js';
import type { SimModel } from './model.js';
import { halfOneHotChain, mixCheck, replaceCheck } from './seddik.js';
import { type Curve, type RegimeRun, type SimContext, evaluate, firstModel, synthesize, train } from './step.js';

type Iterative = Extract<RegimeConfig, { type: 'replace' | 'accumulate' | 'accumulate-subsample' | 'mix' }>;

/** Values a regime adds to a generation's metrics from the corpora of generations g - 1 and g. */
type Check = (g: number, previous: Corpus, corpus: Corpus) => StepMetrics;

/**
 * Recursive training: generation 0 is the model of the real set; generation g trains on
 * `next(g, model g-1)` and is evaluated like every other step, plus `check`'s values.
 */
export function generations(ctx: SimContext, model: ModelConfig, label: string, next: (g: number, previous: SimModel) => Corpus, check?: Check, first0: StepMetrics = {}): Curve {
  const first = firstModel(ctx, model);
  const steps = [{ x: 0, metrics: { ...first.metrics, ...first0 } }];
  let previous = first.model;
  let before: Corpus = ctx.data.real;
  for (let g = 1; g <= ctx.config.generations; g++) {
    const corpus = next(g, previous);
    previous = train(ctx, model, corpus);
    steps.push({ x: g, metrics: evaluate(ctx, previous, corpus, check?.(g, before, corpus)) });
    before = corpus;
  }
  return { label, steps };
}

/** Bigram counts of a corpus as the reference's (no padding): an MLE bigram's next-word distributions. */
const bigrams = (ctx: SimContext, corpus: Corpus) => (corpus === ctx.data.real ? ctx.ref.bigrams : countNGrams(corpus, 2, ctx.data.vocab.size, false));

/** Seddik's per-context formulas where the model is his (an MLE bigram): replace and mix only. */
function seddik(ctx: SimContext, r: Iterative, ratio = 1): Check | undefined {
  if (r.model.type !== 'mle' || r.model.order !== 2) return undefined;
  if (r.type === 'replace') return (g, before, now) => replaceCheck(ctx.ref.bigrams, bigrams(ctx, before), bigrams(ctx, now), g);
  if (r.type === 'mix') return (_g, before, now) => mixCheck(ctx.ref.bigrams, bigrams(ctx, before), bigrams(ctx, now), ratio);
  return undefined;
}

/** replace, accumulate, accumulate-subsample and mix: the ways of feeding a generation its data. */
export function runIterative(ctx: SimContext, r: Iterative, name: string): RegimeRun {
  const size = tokenCount(ctx.data.real);
  // Each generation's synthetic set is as large as the real set (mix: ratio × that).
  const fresh = (g: number, m: SimModel, stage = name, tokens = size) => synthesize(ctx, m, tokens, `${stage}/gen${g}`);
  const run = (curves: Curve[]): RegimeRun => ({ name, type: r.type, axis: 'generation', curves });
  switch (r.type) {
    case 'replace':
      return run([generations(ctx, r.model, name, (g, m) => fresh(g, m), seddik(ctx, r), seddik(ctx, r) && halfOneHotChain(ctx.ref.bigrams, rngFor(ctx.seed, `${name}/chain`, 'contexts')))]);
    case 'accumulate': {
      const pool: Doc[] = [...ctx.data.real];
      return run([
        generations(ctx, r.model, name, (g, m) => {
          pool.push(...fresh(g, m));
          return [...pool];
        }),
      ]);
    }
    case 'accumulate-subsample': {
      const pool: Doc[] = [...ctx.data.real];
      return run([
        generations(ctx, r.model, name, (g, m) => {
          pool.push(...fresh(g, m));
          return subsample(pool, size, rngFor(ctx.seed, `${name}/gen${g}`, 'subsample'));
        }),
      ]);
    }
    case 'mix':
      return run(
        r.ratios.map((ratio) => {
          const label = `${name}/n=${ratio}N`;
          return generations(ctx, r.model, label, (g, m) => [...ctx.data.real, ...fresh(g, m, label, Math.round(ratio * size))], seddik(ctx, r, ratio));
        }),
      );
  }
}
