import type { PriorModel, TokenizedText } from '../prior/types.js';
import { overlapsRange, protectedRanges } from './protect.js';

/** A stretch of the input and the text that replaces it. */
export interface Span {
  start: number;
  end: number;
  text: string;
}

/** Tokens either side of an edit that are tokenized again to check it: enough for a neighbour's neighbour to notice a merge. */
const MARGIN = 3;

const ENDS_IN_WORD = /[\p{L}\p{M}\p{N}_]$/u;
const STARTS_IN_WORD = /^[\p{L}\p{M}\p{N}_]/u;

const SPACE = /\s/;

/** Index just past the last whitespace character of `text` (0 if none): where its last run of non-space characters starts. */
function afterLastSpace(text: string): number {
  let c = text.length;
  while (c > 0 && !SPACE.test(text[c - 1])) c--;
  return c;
}

/** Index of the first whitespace character of `text` (its length if none). */
function firstSpace(text: string): number {
  let c = 0;
  while (c < text.length && !SPACE.test(text[c])) c++;
  return c;
}

/** Whether `left` written right before `right` joins two word characters: the two read as one word there. */
export function joins(left: string, right: string): boolean {
  return ENDS_IN_WORD.test(left.slice(-2)) && STARTS_IN_WORD.test(right.slice(0, 2));
}

/**
 * Whether token i is a whole word (or a whole mark): neither of its ends touches a word
 * character of its neighbour. A sub-word piece (`anc` of `Francois`) is not.
 */
export function isWholeWord(text: string, tokens: TokenizedText, i: number): boolean {
  const start = tokens.starts[i];
  const end = tokens.ends[i];
  const own = text.slice(start, end);
  return !joins(text.slice(Math.max(0, start - 2), start), own) && !joins(own, text.slice(end, end + 2));
}

/**
 * Where a replacement may go without damaging the text around it. A candidate is placed only if
 * (1) it joins a word character on neither side where the original did not, nor leaves a join the
 * original made (no fused or split words: `"so` -> `aso`), (2) the edited text around it, tokenized
 * again by the prior, is the same token sequence with the new token in place, and (3) it lands in no
 * protected span (a digit next to a number). The checks see the document as edited so far: an
 * earlier replacement is the left neighbour of a later one.
 */
export class Placement {
  /** Changed edits accepted so far, in text order. */
  private readonly accepted: Span[] = [];
  /** The last window checked and its tokens (see retokenizes). */
  private before: string | null = null;
  private beforeTokens: TokenizedText | null = null;

  constructor(
    private readonly text: string,
    private readonly tokens: TokenizedText,
    /** Tokenizes windows again; without it (the simulator's space-joined ids) check (2) is skipped. */
    private readonly prior: Partial<Pick<PriorModel, 'tokenize' | 'tokensSplitAtWhitespace'>>,
    private readonly patterns: readonly RegExp[],
  ) {}

  /**
   * The span to write for token i becoming `id` (`span` as the prior proposes it), or null when
   * it cannot go there. A space the previous replacement already ends with is not written twice.
   */
  place(i: number, id: number, span: Span): Span | null {
    const last = this.accepted.at(-1);
    if (last && last.end === span.start && /\s$/.test(last.text) && span.text.startsWith(' ')) span = { ...span, text: span.text.slice(1) };
    const { starts } = this.tokens;
    const [ws, we] = this.around(i, span);
    const prefix = this.edited(ws, span.start);
    const original = this.text.slice(span.start, span.end);
    // A space the word needs is not written where the edited text before it (a deletion) already ends in one.
    if (/\s$/.test(prefix) && span.text.startsWith(' ') && !/^\s/.test(original)) span = { ...span, text: span.text.slice(1) };
    const suffix = this.text.slice(span.end, we);
    if (joins(prefix, original) !== joins(prefix, span.text) || joins(original, suffix) !== joins(span.text, suffix)) return null;
    const after = prefix + span.text + suffix;
    if (this.patterns.length > 0 && overlapsRange(protectedRanges(after, this.patterns), prefix.length, prefix.length + span.text.length)) return null;
    if (this.prior.tokenize) {
      // A tokenizer that splits at whitespace tokenizes the windows' common text outside the
      // edited run of non-space characters the same in both: only that run is tokenized again.
      const l = this.prior.tokensSplitAtWhitespace ? afterLastSpace(prefix) : 0;
      const r = this.prior.tokensSplitAtWhitespace ? firstSpace(suffix) : suffix.length;
      const before = prefix.slice(l) + original + suffix.slice(0, r);
      if (!this.retokenizes(before, after.slice(l, after.length - suffix.length + r), prefix.length - l + starts[i] - span.start, id)) return null;
    }
    return span;
  }

  /**
   * The span to delete for token i (deleteBelow): the token with the gap before it, or else with
   * the gap after it, so no whitespace is left doubled; null for a piece of a word, and when either way would join two word
   * characters that the token kept apart (`a (b` -> `ab`, `well-known` -> `wellknown`), leave two
   * whitespace runs side by side, or change how the tokens around it read. Spans before
   * `notBefore` (the end of the last edit) are not touched.
   */
  deletion(i: number, notBefore: number): Span | null {
    const { starts, ends, ids } = this.tokens;
    // A piece of a word (sub-word priors) is never deleted: what is left of the word would be a new word form.
    if (!isWholeWord(this.text, this.tokens, i)) return null;
    const ways = [
      { start: ends[i - 1], end: ends[i], text: '' },
      { start: starts[i], end: i + 1 < ids.length ? starts[i + 1] : this.text.length, text: '' },
    ];
    for (const span of ways) {
      if (span.start < notBefore) continue;
      const [ws, we] = this.around(i, span);
      const prefix = this.edited(ws, span.start);
      const suffix = this.text.slice(span.end, we);
      if (joins(prefix, suffix) || (/\s$/.test(prefix) && /^\s/.test(suffix))) continue;
      if (this.prior.tokenize && !this.readsWithout(prefix, this.text.slice(span.start, span.end), suffix)) continue;
      return span;
    }
    return null;
  }

  /** Record a placed replacement or deletion: later checks see it as part of the text. */
  accept(span: Span): void {
    this.accepted.push(span);
  }

  /**
   * The stretch of input checked around token i's edit `span`: MARGIN tokens each side, widened
   * over accepted edits it reaches. On the left only tokens outside accepted edits count, so after
   * a run of deletions the check still sees the words that are now the edit's neighbours.
   */
  private around(i: number, span: { start: number; end: number }): [number, number] {
    const { starts, ends, ids } = this.tokens;
    let j = i;
    let a = this.accepted.length - 1;
    for (let kept = 0; j > 0 && kept < MARGIN; ) {
      j--;
      while (a >= 0 && this.accepted[a].start > starts[j]) a--;
      if (!(a >= 0 && this.accepted[a].end > starts[j])) kept++;
    }
    let ws = Math.min(starts[j], span.start);
    for (let b = this.accepted.length - 1; b >= 0 && this.accepted[b].end > ws; b--) ws = Math.min(ws, this.accepted[b].start);
    return [ws, Math.max(ends[Math.min(ids.length - 1, i + MARGIN)], span.end)];
  }

  /** Whether prefix + suffix tokenizes as prefix + deleted + suffix does without the tokens of `deleted`. */
  private readsWithout(prefix: string, deleted: string, suffix: string): boolean {
    const b = this.prior.tokenize!(prefix + deleted + suffix);
    const a = this.prior.tokenize!(prefix + suffix);
    const from = prefix.length;
    const to = from + deleted.length;
    const kept = Array.from(b.ids).filter((_, k) => b.starts[k] < from || b.starts[k] >= to);
    return kept.length === a.ids.length && kept.every((id, k) => id === a.ids[k]);
  }

  /** The input's characters [from, to) with the accepted replacements inside them written in. */
  private edited(from: number, to: number): string {
    let a = this.accepted.length;
    while (a > 0 && this.accepted[a - 1].start >= from) a--;
    let out = '';
    let cursor = from;
    for (; a < this.accepted.length && this.accepted[a].end <= to; a++) {
      out += this.text.slice(cursor, this.accepted[a].start) + this.accepted[a].text;
      cursor = this.accepted[a].end;
    }
    return out + this.text.slice(cursor, to);
  }

  /** Whether `after` tokenizes as `before` does with the token starting at `at` of `before` turned into `id`. */
  private retokenizes(before: string, after: string, at: number, id: number): boolean {
    // The candidates of one position share the text before the edit: tokenized once for all of them.
    if (before !== this.before) {
      this.before = before;
      this.beforeTokens = this.prior.tokenize!(before);
    }
    const b = this.beforeTokens!;
    const a = this.prior.tokenize!(after);
    if (a.ids.length !== b.ids.length) return false;
    const j = b.starts.indexOf(at);
    if (j < 0 || a.ids[j] !== id) return false;
    for (let k = 0; k < a.ids.length; k++) if (k !== j && a.ids[k] !== b.ids[k]) return false;
    return true;
  }
}
