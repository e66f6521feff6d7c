import { rngFor } from '../random.js';
import type { ModelConfig, RegimeConfig } from './config.js';
import { type Corpus, type Doc, subsample, tokenCount } from './data.js';
import type { SimModel } from './model.js';
import { type Curve, type RegimeRun, type SimContext, evaluate, firstModel, synthesize, train } from './step.js';

type Iterative = Extract<RegimeConfig, { type: 'replace' | 'accumulate' | 'accumulate-subsample' | 'mix' }>;

/**
 * Recursive training: generation 0 is the model of the real set; generation g trains on
 * `next(g, model g-1)` and is evaluated like every other step.
 */
export function generations(ctx: SimContext, model: ModelConfig, label: string, next: (g: number, previous: SimModel) => Corpus): Curve {
  const first = firstModel(ctx, model);
  const steps = [{ x: 0, metrics: first.metrics }];
  let previous = first.model;
  for (let g = 1; g <= ctx.config.generations; g++) {
    const corpus = next(g, previous);
    previous = train(ctx, model, corpus);
    steps.push({ x: g, metrics: evaluate(ctx, previous, corpus) });
  }
  return { label, steps };
}

/** replace, accumulate, accumulate-subsample and mix: the ways of feeding a generation its data. */
export function runIterative(ctx: SimContext, r: Iterative, name: string): RegimeRun {
  const size = tokenCount(ctx.data.real);
  // Each generation's synthetic set is as large as the real set (mix: ratio × that).
  const fresh = (g: number, m: SimModel, stage = name, tokens = size) => synthesize(ctx, m, tokens, `${stage}/gen${g}`);
  const run = (curves: Curve[]): RegimeRun => ({ name, type: r.type, axis: 'generation', curves });
  switch (r.type) {
    case 'replace':
      return run([generations(ctx, r.model, name, (g, m) => fresh(g, m))]);
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
          return generations(ctx, r.model, label, (g, m) => [...ctx.data.real, ...fresh(g, m, label, Math.round(ratio * size))]);
        }),
      );
  }
}
