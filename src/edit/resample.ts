import type { Rng } from '../random.js';
import type { TokenizedText, TokenScores } from '../prior/types.js';
import { DocumentEditor } from './document-editor.js';
import type { EditCounts, EditingPrior, ResampleOptions, TokenEdit } from './edit-types.js';

export { type EditCounts, type EditingPrior, type ResampleOptions, type TokenEdit, isSelectable, noEdits } from './edit-types.js';

/** Decide every edit of one document, ToEdit's way: candidates weighted by the left context only. Pure: the prior is only asked for token texts and tokenizations. */
export function resampleDocument(
  text: string,
  tokens: TokenizedText,
  scores: TokenScores,
  prior: EditingPrior,
  options: ResampleOptions,
  rng: Rng,
): { edits: TokenEdit[]; counts: EditCounts } {
  const editor = new DocumentEditor(text, tokens, scores, prior, options);
  for (const i of editor.selected()) editor.draw(i, editor.candidates(i), rng);
  return { edits: editor.edits, counts: editor.counts };
}
