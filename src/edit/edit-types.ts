import type { PriorModel, TokenizedText } from '../prior/types.js';

/**
 * ToEdit threshold resampling and its variants, as settings of one strategy:
 * - reference (`up_revise` in the authors' code): selected tokens are redrawn from
 *   softmax(logprob / beta) over the top-k candidates plus the original token;
 * - `excludeOriginal`: the original token is not a candidate, so every selected token changes;
 * - `deleteBelow`: tokens with P below this floor are deleted (off when null).
 */
export interface ResampleOptions {
  /** Select token i >= 1 when P(x_i) > threshold. */
  threshold: number;
  topK: number;
  beta: number;
  excludeOriginal: boolean;
  deleteBelow: number | null;
  /**
   * Whether whitespace-only tokens may be selected or drawn. Off by default: with byte-level
   * BPE most near-certain tokens are the second newline of a paragraph break, and resampling
   * them rewrites layout, not language.
   */
  editWhitespace: boolean;
  /**
   * Provenance mask: positions set to 1 were edited in an earlier generation and are never
   * selected or deleted again (ToEdit's bound assumes each position is edited at most once).
   */
  locked?: Uint8Array;
  /**
   * Which end of the distribution to select: 'above' (ToEdit: P > threshold) or 'below' (P <
   * threshold, the paper's inverse ablation that resamples the surprising tokens instead).
   */
  select?: 'above' | 'below';
  /** Cut the candidate list to the shortest prefix of the top-k whose probability reaches this (1: off). */
  topP?: number;
  /**
   * Select exactly these positions (1 = selected) whatever their probability: the random-position
   * baseline, which changes as many tokens as a strategy does but at random places.
   */
  only?: Uint8Array;
  /** Protected kinds of text (protect.ts, compiled): never selected, never produced. */
  protectPatterns?: readonly RegExp[];
  /** Select only tokens that are whole words (for sub-word priors). */
  wholeWords?: boolean;
}

/**
 * What editing asks of a prior: which tokens it may write, their text, how to write one, and
 * (to check a replacement re-tokenizes in place) its tokenizer, where there is text to tokenize.
 */
export type EditingPrior = Pick<PriorModel, 'isEmittable' | 'tokenText' | 'replacementSpan'> & Partial<Pick<PriorModel, 'tokenize' | 'tokensSplitAtWhitespace'>>;

/**
 * Whether ToEdit may select token i at all: never position 0, never a token the prior cannot
 * write back (`<unk>`, control symbols), never whitespace unless asked. Calibration uses the same
 * rule, so the target share counts what editing can actually select.
 */
export function isSelectable(prior: EditingPrior, text: string, tokens: TokenizedText, i: number, editWhitespace: boolean): boolean {
  if (i === 0 || !prior.isEmittable(tokens.ids[i])) return false;
  return editWhitespace || text.slice(tokens.starts[i], tokens.ends[i]).trim() !== '';
}

/** One selected or deleted position. Spans are character offsets in the input text. */
export interface TokenEdit {
  position: number;
  start: number;
  end: number;
  original: string;
  replacement: string;
  originalId: number;
  replacementId: number;
  /** Prior probability of the original token and its rank. */
  p: number;
  rank: number;
  kind: 'resample' | 'delete';
  changed: boolean;
}

export interface EditCounts {
  tokens: number;
  selected: number;
  changed: number;
  deleted: number;
  /** Tokens never selected because they lie in a protected span, were edited by an earlier generation, or (wholeWords) are part of a word. */
  protected: number;
  locked: number;
  partWords: number;
}

/** Counts of a document that nothing was done to. */
export function noEdits(tokens: number): EditCounts {
  return { tokens, selected: 0, changed: 0, deleted: 0, protected: 0, locked: 0, partWords: 0 };
}
