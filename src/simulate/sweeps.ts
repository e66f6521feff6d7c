import type { RegimeConfig } from './config.js';
import { type Corpus, takeTokens, tokenCount } from './data.js';
import { type RegimeRun, type SimContext, evaluate, firstModel, synthesize, train } from './step.js';

type ShareSweep = Extract<RegimeConfig, { type: 'share-sweep' }>;
type FixedShare = Extract<RegimeConfig, { type: 'fixed-share' }>;

/**
 * Non-iterative mix (ToEdit §3's 0/25/50/75/100% experiment): one generator, the first model;
 * a training set of the real set's size whose share s is its samples. The synthetic parts are
 * prefixes of one sample set, so the sets are nested and differ only in the share.
 */
export function runShareSweep(ctx: SimContext, r: ShareSweep, name: string): RegimeRun {
  const size = tokenCount(ctx.data.real);
  const synthetic = synthesize(ctx, firstModel(ctx, r.model).model, size, `${name}/synthetic`);
  const steps = r.shares.map((share) => {
    const corpus = mixture(ctx.data.real, synthetic, size, share);
    return { x: share, metrics: evaluate(ctx, train(ctx, r.model, corpus), corpus) };
  });
  return { name, type: r.type, axis: 'share', curves: [{ label: name, steps }] };
}

/**
 * Strong model collapse (Dohmatob et al.): a constant share of samples from a shifted generator
 * (trained on one genre and/or sampled at a temperature) as the training set grows within the
 * real set; one curve per share, the share-0 curve being real data only.
 */
export function runFixedShare(ctx: SimContext, r: FixedShare, name: string): RegimeRun {
  const { genre, temperature } = r.generator;
  // A genre's documents come from all of Brown train; their words outside the real set's vocabulary are <unk>, never emitted.
  const source = genre === undefined ? ctx.data.real : ctx.data.pool.filter((_, i) => ctx.data.poolGenres[i] === genre);
  const generator = train(ctx, r.model, source);
  const largest = Math.max(...r.sizes);
  const synthetic = synthesize(ctx, generator, Math.round(Math.max(...r.shares) * largest), `${name}/synthetic`, temperature);
  const curves = r.shares.map((share) => ({
    label: `${name}/p=${share}`,
    steps: r.sizes.map((size) => {
      const corpus = mixture(ctx.data.real, synthetic, size, share);
      return { x: size, metrics: evaluate(ctx, train(ctx, r.model, corpus), corpus) };
    }),
  }));
  return { name, type: r.type, axis: 'tokens', curves };
}

/** `size` tokens: the first (1 - share)·size of `real` and the first share·size of `synthetic`. */
function mixture(real: Corpus, synthetic: Corpus, size: number, share: number): Corpus {
  const synth = Math.round(share * size);
  return [...takeTokens(real, size - synth), ...takeTokens(synthetic, synth)];
}
