import type { TokenizedText, TokenScores } from '../prior/types.js';
import { DocumentEditor, softmax } from './document-editor.js';
import type { EditingPrior, ResampleOptions } from './edit-types.js';
import { BLOCKED } from './selectable.js';

/**
 * Every token's probability of changing if it were selected: one minus the weight of the original
 * in softmax(logprob / beta) over the candidates editing would draw from (the same candidates,
 * placement checks included, seen in the unedited text), 0 where it can never be selected. Their
 * sum over the selected tokens is the expected number of changes (BRIEF 4b).
 * Only where P > `above` (the scores' candidatesAbove: candidates were read there); elsewhere a
 * selectable token's chance is NaN, unknown, so that a threshold needing it cannot use a wrong 0.
 */
export function expectedChanges(text: string, tokens: TokenizedText, scores: TokenScores, prior: EditingPrior, options: ResampleOptions, above = -1): Float64Array {
  const editor = new DocumentEditor(text, tokens, scores, prior, { ...options, deleteBelow: null });
  const changes = new Float64Array(tokens.ids.length);
  for (let i = 1; i < changes.length; i++) {
    if (editor.mask[i] !== BLOCKED.none) continue;
    // The scorer's own test for reading candidates (ReadoutPlan.candidatesAbove).
    if (!(Math.exp(scores.logProb[i]) > above)) {
      changes[i] = NaN;
      continue;
    }
    const set = editor.candidates(i);
    if (set.n === 0) continue;
    changes[i] = set.original < 0 ? 1 : 1 - softmax(set.logProbs, set.n, options.beta)[set.original];
  }
  return changes;
}
