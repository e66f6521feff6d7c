import type { TwoSidedPrior } from '../edit/two-sided.js';
import type { EditingPrior } from '../edit/resample.js';
import type { KneserNeyModel } from '../prior/ngram/kneser-ney.js';
import { UNK, type Vocabulary } from '../prior/ngram/vocabulary.js';
import { emptyScores } from '../prior/scores.js';
import type { TokenizedText, TokenScores } from '../prior/types.js';
import type { Doc } from './data.js';

/**
 * The simulator edits documents of word ids, not text: these adapters let src/edit's own
 * editing code (selection, candidates, the left-only and two-sided draws, the calibrations) run
 * on them unchanged. A document is rendered as its words joined by single spaces.
 */

/** A document of ids as text (words joined by single spaces) with each word's span. */
export function spaced(doc: Doc, vocab: Vocabulary): { text: string; tokens: TokenizedText } {
  const starts = new Int32Array(doc.length);
  const ends = new Int32Array(doc.length);
  let at = 0;
  doc.forEach((id, i) => {
    starts[i] = at;
    at += vocab.form(id).length;
    ends[i] = at++;
  });
  return { text: Array.from(doc, (id) => vocab.form(id)).join(' '), tokens: { ids: doc, starts, ends } };
}

/**
 * Editing in id space: a replacement is the new word in the old word's span. No tokenizer, so
 * placement checks no re-tokenization (ids cannot fuse), and there is no text to protect.
 */
export function idPrior(vocab: Vocabulary): EditingPrior {
  return {
    isEmittable: (id) => id > UNK && id < vocab.size,
    tokenText: (id) => vocab.form(id),
    replacementSpan: (_text, tokens, i, id) => ({ start: tokens.starts[i], end: tokens.ends[i], text: vocab.form(id) }),
  };
}

/**
 * One Kneser-Ney model of the simulator as the prior of the two-sided draw: it scores the short
 * windows `fullConditional` builds (history, candidate, the next n - 1 words) with the model's
 * own probabilities. With contextSize n - 1 the draw is the exact Gibbs step under this model,
 * as for the pipeline's n-gram prior.
 */
export function twoSidedIdPrior(model: KneserNeyModel, vocab: Vocabulary): TwoSidedPrior {
  return {
    ...idPrior(vocab),
    identity: { type: 'ngram', name: `simulated-kneser-ney-${model.order}gram`, sha256: '', vocabSize: vocab.size, contextSize: model.order - 1 },
    // Only log-probabilities: fullConditional asks for no candidates, ranks or entropies.
    score: async (docs) =>
      docs.map(({ ids }) => {
        const out = emptyScores(ids.length, 0);
        for (let i = 0; i < ids.length; i++) out.logProb[i] = Math.log(model.probOf(ids, i, ids[i]));
        return out;
      }),
  };
}

/**
 * A document's scores for editing: every log-probability, and the top-k candidates where
 * `wanted(i)` (where editing may select; a changed-share calibration weighs every selectable
 * position's candidates, so it asks for all of them).
 */
export function candidateScores(prior: KneserNeyModel, doc: Doc, logProb: Float32Array, topK: number, wanted: (i: number) => boolean): TokenScores {
  const scores = emptyScores(doc.length, topK);
  scores.logProb.set(logProb);
  scores.topIds.fill(-1);
  for (let i = 1; i < doc.length; i++) if (wanted(i)) prior.scorePosition(doc, i, topK, scores);
  return scores;
}
