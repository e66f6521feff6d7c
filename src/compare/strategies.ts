import type { Document } from '../corpus/document.js';
import { applyEdits } from '../edit/apply.js';
import { calibrateOnCorpus } from '../edit/calibrate.js';
import { resampleOptions } from '../edit/config.js';
import { type EditCounts, type ResampleOptions, isSelectable, noEdits, resampleDocument } from '../edit/resample.js';
import type { PriorModel, TokenizedText, TokenScores } from '../prior/types.js';
import { rngFor } from '../random.js';
import { editDocumentsTwoSided, lookaheadOf, twoSidedChangedShare } from '../edit/two-sided.js';
import type { StrategyConfig } from './config.js';

/** A document with its tokens and the prior's scores: computed once, edited by every strategy. */
export interface ScoredDocument {
  doc: Document;
  tokens: TokenizedText;
  scores: TokenScores;
}

/** One strategy's edit of the whole corpus with one seed. */
export interface EditedCorpus {
  texts: string[];
  counts: EditCounts;
  /** Selected tokens by the prior's probability of the original, bins [0, 0.1), …, [0.9, 1]. */
  selectedByProbability: number[];
}

/**
 * The threshold a strategy selects with. Calibrated: the p for which `targetShare` of all tokens
 * lie strictly above it (or strictly below, for the low-probability end), as the pipeline's
 * calibration counts them. Changed-share: the p at which the expected changes reach the target,
 * with the strategy's own draw (two-sided weights for a two-sided strategy).
 */
export async function strategyThreshold(strategy: StrategyConfig, corpus: readonly ScoredDocument[], prior: PriorModel): Promise<number> {
  if (strategy.selection.mode === 'absolute') return strategy.selection.p;
  if (strategy.selection.mode === 'changed-share' && strategy.context === 'two-sided') {
    return twoSidedChangedShare(corpus, prior, resampleOptions(strategy, NaN), lookaheadOf(prior, strategy.lookahead), strategy.selection.targetShare);
  }
  const docs = corpus.map(({ doc, tokens, scores }) => ({ text: doc.text, tokens, logProb: scores.logProb, scores }));
  return calibrateOnCorpus(prior, docs, strategy.selection, { options: resampleOptions(strategy, NaN) });
}

/** Edit every document with a two-sided strategy; each document draws from its own stream of `seed`. */
export async function editCorpusTwoSided(corpus: readonly ScoredDocument[], prior: PriorModel, options: ResampleOptions, lookahead: number, seed: number): Promise<EditedCorpus> {
  const counts = noEdits(0);
  const selectedByProbability = new Array<number>(10).fill(0);
  // All documents side by side: their selected positions are weighed in shared batches.
  const results = await editDocumentsTwoSided(corpus.map(({ doc, tokens, scores }) => ({ text: doc.text, tokens, scores, options, rng: rngFor(seed, 'edit', doc.id) })), prior, lookahead);
  const texts = results.map(({ edits, counts: c }, d) => {
    for (const key of Object.keys(c) as (keyof EditCounts)[]) counts[key] += c[key];
    for (const e of edits) if (e.kind === 'resample') selectedByProbability[Math.min(9, Math.floor(e.p * 10))]++;
    return applyEdits(corpus[d].doc.text, edits).text;
  });
  return { texts, counts, selectedByProbability };
}

/** Edit every document with the strategy; each document draws from its own stream of `seed`. */
export function editCorpus(corpus: readonly ScoredDocument[], prior: PriorModel, options: ResampleOptions, seed: number, only?: readonly Uint8Array[]): EditedCorpus {
  const counts = noEdits(0);
  const selectedByProbability = new Array<number>(10).fill(0);
  const texts = corpus.map(({ doc, tokens, scores }, d) => {
    const { edits, counts: c } = resampleDocument(doc.text, tokens, scores, prior, only ? { ...options, only: only[d] } : options, rngFor(seed, 'edit', doc.id));
    for (const key of Object.keys(c) as (keyof EditCounts)[]) counts[key] += c[key];
    for (const e of edits) if (e.kind === 'resample') selectedByProbability[Math.min(9, Math.floor(e.p * 10))]++;
    return applyEdits(doc.text, edits).text;
  });
  return { texts, counts, selectedByProbability };
}

/**
 * The random-position baseline: change exactly `changes` tokens, at positions drawn uniformly
 * from every selectable token of the corpus, each redrawn from the prior's candidates without
 * the original (so a selected token changes). A drawn position can still fail to change (no
 * candidate but whitespace, or a replacement that would overlap an earlier edit), so positions
 * are added in the drawn order until the count is met exactly (or the corpus runs out).
 */
export function randomBaseline(corpus: readonly ScoredDocument[], prior: PriorModel, strategy: StrategyConfig, changes: number, seed: number): EditedCorpus & { positions: number } {
  const pool: [number, number][] = [];
  corpus.forEach(({ doc, tokens }, d) => {
    for (let i = 0; i < tokens.ids.length; i++) if (isSelectable(prior, doc.text, tokens, i, false)) pool.push([d, i]);
  });
  const rng = rngFor(seed, 'random-positions', strategy.name);
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  const only = corpus.map(({ tokens }) => new Uint8Array(tokens.ids.length));
  const options = { ...resampleOptions(strategy, 0), excludeOriginal: true, deleteBelow: null };
  let taken = 0;
  let result = editCorpus(corpus, prior, options, seed, only);
  // Each round adds as many positions as changes are missing; rounds are few (failures are rare).
  while (result.counts.changed < changes && taken < pool.length) {
    const missing = changes - result.counts.changed;
    for (const [d, i] of pool.slice(taken, taken + missing)) only[d][i] = 1;
    taken = Math.min(pool.length, taken + missing);
    result = editCorpus(corpus, prior, options, seed, only);
  }
  // A new position shifts its document's random stream, which can turn an earlier overlap into a
  // change: give back the latest positions until the count is exact.
  while (result.counts.changed > changes && taken > 0) {
    const [d, i] = pool[--taken];
    only[d][i] = 0;
    result = editCorpus(corpus, prior, options, seed, only);
  }
  return { ...result, positions: taken };
}
