import { UNK } from '../prior/ngram/vocabulary.js';
import { rngFor } from '../random.js';
import { type SimulationConfig, regimeName } from './config.js';
import { type BrownWords, seedData } from './data.js';
import { reference } from './metrics.js';
import { runIterative } from './regimes.js';
import type { RegimeRun, SimContext } from './step.js';
import { runFixedShare, runShareSweep } from './sweeps.js';
import { runToEdit } from './toedit.js';

/**
 * One repeat of every regime with one seed. The seed picks the real set (Brown train documents
 * in a random order, the first `realTokens` tokens), hence the vocabulary, and every sample
 * drawn after it, so repeats differ in data as well as in draws. Pure: the same seed gives the
 * same result.
 */
export function runRepeat(config: SimulationConfig, brown: BrownWords, seed: number): RepeatResult {
  const started = performance.now();
  const data = seedData(brown, config.realTokens, rngFor(seed, 'real-set', 'brown/train'));
  const ctx: SimContext = { config, seed, data, ref: reference(data.real, data.vocab.size), firstModels: new Map() };
  const regimes = config.regimes.map((r) => {
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
  });
  const heldout = data.heldout.flatMap((doc) => Array.from(doc));
  return { seed, vocabulary: data.vocab.size - 2, heldoutTokens: heldout.length, heldoutScored: heldout.filter((id) => id !== UNK).length, seconds: (performance.now() - started) / 1000, regimes };
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
