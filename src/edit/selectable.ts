import type { TokenizedText } from '../prior/types.js';
import { isWholeWord } from './placement.js';
import { protectedRanges } from './protect.js';
import type { EditingPrior } from './edit-types.js';

/** Why a token may not be selected (0: it may). */
export const BLOCKED = { none: 0, never: 1, locked: 2, protected: 3, partWord: 4 } as const;

/** What decides which tokens of a document editing may select, whatever their probability. */
export interface MaskRule {
  editWhitespace: boolean;
  /** Provenance mask of the document (1 = edited in an earlier generation: never selected). */
  locked?: Uint8Array;
  /** Protected kinds of text (protect.ts): a token overlapping one is never selected. */
  protectPatterns?: readonly RegExp[];
  /** Select only tokens that are whole words (for sub-word priors). */
  wholeWords?: boolean;
}

/**
 * Every token's BLOCKED code: never (position 0, a token the prior cannot write back such as
 * `<unk>`, whitespace unless editWhitespace), locked, protected or part of a word, else none.
 * Calibration and editing use the same mask, so a target share counts what editing can select.
 */
export function selectionMask(prior: EditingPrior, text: string, tokens: TokenizedText, rule: MaskRule): Uint8Array {
  const { ids, starts, ends } = tokens;
  const mask = new Uint8Array(ids.length);
  const ranges = rule.protectPatterns?.length ? protectedRanges(text, rule.protectPatterns) : [];
  let r = 0; // ranges are merged and sorted, tokens in order: one sweep
  for (let i = 0; i < ids.length; i++) {
    while (r < ranges.length && ranges[r + 1] <= starts[i]) r += 2;
    if (i === 0 || !prior.isEmittable(ids[i]) || (!rule.editWhitespace && text.slice(starts[i], ends[i]).trim() === '')) mask[i] = BLOCKED.never;
    else if (rule.locked?.[i]) mask[i] = BLOCKED.locked;
    else if (r < ranges.length && ranges[r] < ends[i]) mask[i] = BLOCKED.protected;
    else if (rule.wholeWords && !isWholeWord(text, tokens, i)) mask[i] = BLOCKED.partWord;
  }
  return mask;
}
