/**
 * Join word tokens into readable English with natural spacing: no space before closing
 * punctuation and clitics, none after opening brackets, currency signs and opening quotes.
 * Used to rebuild Brown text and to render n-gram samples, so both look alike.
 */
export const NO_SPACE_BEFORE = new Set([',', '.', ';', ':', '!', '?', ')', ']', '}', '%', "n't", "'s", "'re", "'ll", "'ve", "'m", "'d"]);
export const NO_SPACE_AFTER = new Set(['(', '[', '{', '$']);

/** A straight double quote opens when an even number of quotes came before it in the sentence. */
export function joinTokens(tokens: readonly string[]): string {
  let out = '';
  let openQuote = false; // inside a "…" span
  let glueNext = true; // no space before the next token
  for (const tok of tokens) {
    let glue = glueNext;
    let nextGlue = false;
    if (tok === '"') {
      if (openQuote) glue = true; // closing quote hugs the previous word
      else nextGlue = true; // opening quote hugs the next word
      openQuote = !openQuote;
    } else if (NO_SPACE_BEFORE.has(tok.toLowerCase())) {
      glue = true;
    }
    if (NO_SPACE_AFTER.has(tok)) nextGlue = true;
    out += (glue || out === '' ? '' : ' ') + tok;
    glueNext = nextGlue;
  }
  return out;
}
