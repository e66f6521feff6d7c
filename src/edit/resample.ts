import type { Rng } from '../random.js';
import { drawIndex } from '../prior/sampling.js';
import type { PriorModel, TokenizedText, TokenScores } from '../prior/types.js';

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
}

/** What editing asks of a prior: which tokens it may write, their text, and how to write one. */
export type EditingPrior = Pick<PriorModel, 'isEmittable' | 'tokenText' | 'replacementSpan'>;

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
}

/** Decide every edit of one document. Pure: the prior is only asked for token texts. */
export function resampleDocument(
  text: string,
  tokens: TokenizedText,
  scores: TokenScores,
  prior: EditingPrior,
  options: ResampleOptions,
  rng: Rng,
): { edits: TokenEdit[]; counts: EditCounts } {
  const { ids, starts, ends } = tokens;
  const k = Math.min(options.topK, scores.topK);
  const edits: TokenEdit[] = [];
  const counts: EditCounts = { tokens: ids.length, selected: 0, changed: 0, deleted: 0 };
  const candIds = new Int32Array(k + 1);
  const weights = new Float64Array(k + 1);
  const below = options.select === 'below';
  const topP = options.topP ?? 1;
  let lastEnd = 0; // end of the last logged span: a widened replacement may cover later tokens
  for (let i = 1; i < ids.length; i++) {
    const original = ids[i];
    if (starts[i] < lastEnd) continue; // inside the previous edit's span (a split multi-byte character)
    const lp = scores.logProb[i];
    const p = Math.exp(lp);
    const base = { position: i, start: starts[i], end: ends[i], original: text.slice(starts[i], ends[i]), originalId: original, p, rank: scores.rank[i] };
    if (options.locked?.[i] || !isSelectable(prior, text, tokens, i, options.editWhitespace)) continue;
    if (options.deleteBelow !== null && p < options.deleteBelow) {
      // Deleting takes the gap before the token with it, so no double spaces are left behind.
      edits.push({ ...base, start: ends[i - 1], original: text.slice(ends[i - 1], ends[i]), replacement: '', replacementId: -1, kind: 'delete', changed: true });
      lastEnd = ends[i];
      counts.deleted++;
      counts.changed++;
      continue;
    }
    if (options.only ? options.only[i] !== 1 : below ? !(p < options.threshold) : !(p > options.threshold)) continue;
    counts.selected++;
    // Candidates: the top-k (cut at top-p mass), plus the original unless excluded; weights
    // softmax(lp / beta).
    let n = 0;
    let hasOriginal = false;
    let mass = 0;
    for (let j = 0; j < k && (topP >= 1 || mass < topP); j++) {
      const id = scores.topIds[i * scores.topK + j];
      if (id >= 0) mass += Math.exp(scores.topLogProbs[i * scores.topK + j]);
      if (id < 0 || (!options.editWhitespace && prior.tokenText(id).trim() === '')) continue;
      if (id === original) {
        hasOriginal = true;
        if (options.excludeOriginal) continue;
      }
      candIds[n] = id;
      weights[n++] = scores.topLogProbs[i * scores.topK + j];
    }
    if (!hasOriginal && !options.excludeOriginal) {
      candIds[n] = original;
      weights[n++] = lp;
    }
    if (n === 0) continue; // nothing to draw from: keep the token
    let max = -Infinity;
    for (let j = 0; j < n; j++) max = Math.max(max, weights[j] / options.beta);
    let total = 0;
    for (let j = 0; j < n; j++) total += weights[j] = Math.exp(weights[j] / options.beta - max);
    const chosen = candIds[drawIndex(weights, n, total, rng)];
    const span = chosen !== original ? prior.replacementSpan(text, tokens, i, chosen) : null;
    if (!span || span.start < lastEnd) {
      // Unchanged, or the new token would have to rewrite characters an earlier edit owns: keep it.
      edits.push({ ...base, replacement: base.original, replacementId: original, kind: 'resample', changed: false });
      lastEnd = ends[i];
      continue;
    }
    counts.changed++;
    lastEnd = span.end;
    edits.push({ ...base, start: span.start, end: span.end, original: text.slice(span.start, span.end), replacement: span.text, replacementId: chosen, kind: 'resample', changed: true });
  }
  return { edits, counts };
}
