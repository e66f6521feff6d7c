import { type RegimeConfig, generatorTokens } from './config.js';
import { type Corpus, type Doc, takeTokens, tokenCount } from './data.js';
import { trainModel } from './model.js';
import { type RegimeRun, type SimContext, evaluate, firstModel, perplexity, synthesize, train } from './step.js';

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
 * as the training set grows along the seed's Brown train order; one curve per share, the share-0
 * curve being real data only. The generator is trained on the end of that order (disjoint from
 * every training set) or on one genre (overlapping: a labelled variant), sampled at a temperature.
 * Models use the vocabulary of all Brown train (`ctx.wide`), not the real set's, so every size is
 * scored on the same held-out words. Only held-out perplexity is measured: the curves are about
 * the loss, and the corpus statistics of an 800K-token set would cost more than its model.
 */
export function runFixedShare(ctx: SimContext, r: FixedShare, name: string): RegimeRun {
  const { genre, temperature } = r.generator;
  const data = ctx.wide();
  const { pool } = data;
  const fit = (corpus: Corpus) => trainModel(r.model, corpus, data.vocab);
  const largest = Math.max(...r.sizes);
  // A genre's documents come from all of Brown train, so they overlap the training sets: the labelled variant.
  const source = genre === undefined ? heldApart(pool, largest, generatorTokens(r.generator)) : pool.filter((_, i) => data.poolGenres[i] === genre);
  const generator = fit(source);
  const synthetic = synthesize(ctx, generator, Math.round(Math.max(...r.shares) * largest), `${name}/synthetic`, temperature);
  const curves = r.shares.map((share) => ({
    label: `${name}/p=${share}`,
    steps: r.sizes.map((size) => ({ x: size, metrics: { perplexity: perplexity(ctx, fit(mixture(pool, synthetic, size, share)), data) } })),
  }));
  return { name, type: r.type, axis: 'tokens', curves };
}

/** The last `tokens` tokens of the pool in whole documents, none of which the first `used` tokens touch. */
export function heldApart(pool: Corpus, used: number, tokens: number): Doc[] {
  const touched = takeTokens(pool, used).length;
  const docs = takeTokens([...pool].reverse(), tokens);
  if (pool.length - docs.length < touched) throw new RangeError(`heldApart: ${used} + ${tokens} tokens overlap in a pool of ${tokenCount(pool)}`);
  return docs;
}

/** `size` tokens: the first (1 - share)·size of `real` and the first share·size of `synthetic`. */
function mixture(real: Corpus, synthetic: Corpus, size: number, share: number): Corpus {
  const synth = Math.round(share * size);
  return [...takeTokens(real, size - synth), ...takeTokens(synthetic, synth)];
}
