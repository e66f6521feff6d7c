import { UNK } from '../prior/ngram/vocabulary.js';
import { rngFor } from '../random.js';
import { type SimulationConfig, regimeName } from './config.js';
import { type BrownWords, type SeedData, seedData } from './data.js';
import { reference } from './metrics.js';
import { runIterative } from './regimes.js';
import type { RegimeRun, SimContext } from './step.js';
import { runFixedShare, runShareSweep } from './sweeps.js';
import { runToEdit } from './toedit.js';

/**
 * The context of one repeat. The seed picks the real set (Brown train documents in a random
 * order, the first `realTokens` tokens), hence the vocabulary, and every sample drawn after it,
 * so repeats differ in data as well as in draws.
 */
export function prepareRepeat(config: SimulationConfig, brown: BrownWords, seed: number): SimContext {
  const order = () => rngFor(seed, 'real-set', 'brown/train');
  const data = seedData(brown, config.realTokens, order());
  let wide: SeedData | undefined;
  // The same stream gives the same order; a real set of every token gives the vocabulary of all.
  const widen = () => (wide ??= seedData(brown, Infinity, order()));
  return { config, seed, data, ref: reference(data.real, data.vocab.size), firstModels: new Map(), wide: widen };
}

/**
 * Regime `index` of the config in a repeat's context. Its random streams are named by the seed,
 * the regime and the generation, so the result does not depend on which regimes ran before it
 * in the same context (only the deterministic generation-0 models are shared). Asynchronous
 * because the two-sided draw of src/edit scores through a prior's (asynchronous) interface.
 */
export async function runRegime(ctx: SimContext, index: number): Promise<RegimeRun> {
  const r = ctx.config.regimes[index];
  const name = regimeName(r);
  switch (r.type) {
    case 'share-sweep':
      return runShareSweep(ctx, r, name);
    case 'fixed-share':
      return runFixedShare(ctx, r, name);
    case 'toedit':
      return runToEdit(ctx, r, name);
    default:
      return runIterative(ctx, r, name);
  }
}

/** What a repeat ran on: vocabulary and held-out sizes. */
export function repeatData(ctx: SimContext): Omit<RepeatResult, 'seconds' | 'regimes'> {
  const heldout = ctx.data.heldout.flatMap((doc) => Array.from(doc));
  return { seed: ctx.seed, vocabulary: ctx.data.vocab.size - 2, heldoutTokens: heldout.length, heldoutScored: heldout.filter((id) => id !== UNK).length };
}

/** One repeat of every regime, in this thread. Pure: the same seed gives the same result. */
export async function runRepeat(config: SimulationConfig, brown: BrownWords, seed: number): Promise<RepeatResult> {
  const started = performance.now();
  const ctx = prepareRepeat(config, brown, seed);
  const regimes: RegimeRun[] = [];
  for (let i = 0; i < config.regimes.length; i++) regimes.push(await runRegime(ctx, i));
  return { ...repeatData(ctx), seconds: (performance.now() - started) / 1000, regimes };
}

/** One repeat's results and what it ran on. */
export interface RepeatResult {
  seed: number;
  /** Word types of the real set (the generation-0 vocabulary without `<s>`, `<unk>`). */
  vocabulary: number;
  /** Held-out tokens, and how many of them are in the vocabulary (the ones perplexity scores). */
  heldoutTokens: number;
  heldoutScored: number;
  seconds: number;
  regimes: RegimeRun[];
}
