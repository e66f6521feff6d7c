import type { PriorModel } from '../prior/types.js';
import { documentFeatures, type Features, type PriorPass, type PriorRole } from './features.js';

/** The priors detection scores with: one or both. */
export type DetectPriors = Partial<Record<PriorRole, PriorModel>>;

/**
 * Features of texts from one scoring pass of each prior (ranks, entropy and Var[log p], no
 * candidates), `batchSize` texts per call. Long texts are scored whole: the neural prior windows
 * them itself.
 */
export async function scoreFeatures(priors: DetectPriors, texts: readonly string[], batchSize: number, onBatch?: (done: number) => void): Promise<Features[]> {
  const out: Features[] = [];
  for (let at = 0; at < texts.length; at += batchSize) {
    const batch = texts.slice(at, at + batchSize);
    const passes = await Promise.all(
      (['neural', 'ngram'] as const).map(async (role): Promise<PriorPass[] | undefined> => {
        const prior = priors[role];
        if (!prior) return undefined;
        const tokens = batch.map((t) => prior.tokenize(t));
        const scores = await prior.score(tokens, { topK: 0, rank: true, moments: true });
        return scores.map((s, i) => ({ scores: s, unknown: tokens[i].ids.filter((id) => !prior.isEmittable(id)).length }));
      }),
    );
    batch.forEach((_, i) => out.push(documentFeatures({ neural: passes[0]?.[i], ngram: passes[1]?.[i] })));
    onBatch?.(out.length);
  }
  return out;
}
