/**
 * Reversible word tokenization (used by the n-gram prior and the audit). A token is a word (letters with inner
 * apostrophes or hyphens), a number (digits with inner . , :), or any other single non-space
 * character. Whitespace is never part of a token; it stays between spans, so
 * gap0 + tok0 + gap1 + tok1 + … + tail reproduces the input exactly.
 */
const WORD = /[\p{L}\p{M}][\p{L}\p{M}\p{N}]*(?:['’-][\p{L}\p{M}\p{N}]+)*|\p{N}+(?:[.,:]\p{N}+)*|\S/gu;

export interface WordSpans {
  forms: string[];
  starts: Int32Array;
  ends: Int32Array;
}

export function wordSpans(text: string): WordSpans {
  const forms: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  // exec on the one expression, not matchAll: matchAll copies the expression on every call,
  // which cost more than the matching when editing tokenizes short runs of text by the million.
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    forms.push(m[0]);
    starts.push(m.index);
    ends.push(m.index + m[0].length);
  }
  return { forms, starts: Int32Array.from(starts), ends: Int32Array.from(ends) };
}

/** Words only, for training: same segmentation, no offsets. */
export function words(text: string): string[] {
  return text.match(WORD) ?? [];
}
