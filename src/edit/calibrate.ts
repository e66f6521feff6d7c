import { batches } from '../corpus/batches.js';
import type { ReadItem } from '../corpus/document.js';
import type { PriorModel, TokenizedText, TokenScores } from '../prior/types.js';
import { TailguardError } from '../errors.js';
import { expectedChanges } from './changed-share.js';
import type { CalibratedSelection } from './config.js';
import type { EditingPrior, ResampleOptions } from './edit-types.js';
import { BLOCKED, selectionMask } from './selectable.js';
import { type Calibration, calibrateThreshold, changedShareThreshold } from './threshold.js';
import { CandidateFloor, ChangedShareFloor } from './candidate-floor.js';

/**
 * How a corpus's tokens enter a calibration, in one place for the pipeline, `compare` and the
 * simulator: every token with the value its selection is decided on, and tokens editing may never
 * select (selectionMask: position 0, `<unk>`, whitespace, locked, protected, part of a word) on
 * the side that keeps them out, so the target share counts what editing can actually select, the
 * way the paper counts its 12.5%. In changed-share mode each token also brings its probability of
 * changing when selected.
 */
export interface CalibrationRule {
  /** The strategy's resampling options (the threshold is ignored): mask, candidates and beta. */
  options: ResampleOptions;
  /** The provenance mask of a document, where there is one. */
  lockedOf?: (id: string, tokens: TokenizedText) => Uint8Array | undefined;
}

/** The values of one document's tokens for calibrateThreshold: P (or -P below), and 0 (or -Infinity) where never selected. */
export function selectionValues(prior: EditingPrior, text: string, tokens: TokenizedText, logProb: ArrayLike<number>, options: ResampleOptions, locked?: Uint8Array): Float64Array {
  const mask = selectionMask(prior, text, tokens, { ...options, locked });
  const below = options.select === 'below';
  return Float64Array.from(mask, (m, i) => (m === BLOCKED.none ? (below ? -Math.exp(logProb[i]) : Math.exp(logProb[i])) : below ? -Infinity : 0));
}

/** A document held in memory with every token's log-probability under the prior (and its scores, which changed-share needs). */
export interface ScoredText {
  id?: string;
  text: string;
  tokens: TokenizedText;
  logProb: ArrayLike<number>;
  scores?: TokenScores;
}

/**
 * The threshold of a selection on a scored corpus held in memory (the first `maxTokens` tokens):
 * P > p above, P < p below.
 */
export function calibrateOnCorpus(prior: EditingPrior, docs: Iterable<ScoredText>, selection: CalibratedSelection, rule: CalibrationRule): number {
  const values: number[] = [];
  const changes: number[] = [];
  for (const { id, text, tokens, logProb, scores } of docs) {
    if (values.length >= selection.maxTokens) break;
    const locked = id !== undefined ? rule.lockedOf?.(id, tokens) : undefined;
    const v = selectionValues(prior, text, tokens, logProb, rule.options, locked);
    values.push(...v.subarray(0, selection.maxTokens - values.length));
    if (selection.mode === 'changed-share') {
      if (!scores) throw new TailguardError('internal', 'a changed-share calibration needs the candidates of every token');
      changes.push(...expectedChanges(text, tokens, scores, prior, { ...rule.options, locked }).subarray(0, v.length));
    }
  }
  // Every chance of changing was computed (full scores): the threshold is always decided.
  const c = thresholdOf(selection, Float64Array.from(values), Float64Array.from(changes.slice(0, values.length)))!;
  return rule.options.select === 'below' ? -c.p : c.p;
}

/**
 * The calibration a selection asks for, from every token's value (and chance of changing).
 * Undefined when a chance of changing left unknown (NaN, below a ChangedShareFloor) would decide
 * it: then the sample is taken again with every chance computed.
 */
export function thresholdOf(selection: CalibratedSelection, probs: Float64Array, changes: Float64Array | undefined): Calibration | undefined {
  if (selection.mode === 'changed-share') return changedShareThreshold(probs, changes ?? new Float64Array(probs.length), selection.targetShare);
  return calibrateThreshold(probs, selection.targetShare);
}

/** Scores kept from the calibration pass for the editing pass, with the candidate floor each was read above. */
export type KeptScores = Map<string, { scores: TokenScores; floor: number }>;

/** What a calibration pass over (part of) a corpus yields: every token's selectable probability, in corpus order, and the kept scores. */
export interface CalibrationSample {
  probs: Float64Array;
  /** Changed-share mode: each token's probability of changing when selected. */
  changes?: Float64Array;
  /** Records read before `maxTokens` was reached, rejects included. */
  records: number;
  kept: KeptScores;
}

export interface KeepOptions {
  topK: number;
  /** Tokens whose scores are kept (the first documents' ones). */
  maxTokens: number;
  entropy: boolean;
  allCandidates: boolean;
  /** Every position's rank (otherwise only where candidates are read). */
  rank: boolean;
}

/**
 * First pass of a calibrated run: score the corpus (up to `maxTokens` tokens, from the first
 * documents) and pick p for the selection (a share of tokens selected, or of tokens changed).
 */
export async function calibrate(
  prior: PriorModel,
  items: () => AsyncIterable<ReadItem>,
  selection: CalibratedSelection,
  batchSize: number,
  rule: CalibrationRule,
  keep: KeepOptions,
): Promise<{ calibration: Calibration; scores: Map<string, TokenScores> }> {
  let sample = await calibrationSample(prior, items(), selection, batchSize, rule, keep);
  let calibration = thresholdOf(selection, sample.probs, sample.changes);
  if (!calibration) {
    sample = await calibrationSample(prior, items(), selection, batchSize, rule, keep, true);
    calibration = thresholdOf(selection, sample.probs, sample.changes)!;
  }
  return { calibration, scores: usableScores(sample.kept, calibration.p) };
}

/**
 * The scoring half of `calibrate`. Samples of consecutive parts of a corpus, concatenated in
 * order and cut at `maxTokens`, are the sample of the whole: a sharded run calibrates its tasks
 * in parallel this way and gets the single run's threshold.
 */
export async function calibrationSample(
  prior: PriorModel,
  items: AsyncIterable<ReadItem>,
  selection: CalibratedSelection,
  batchSize: number,
  rule: CalibrationRule,
  keep: KeepOptions,
  /** Compute every token's chance of changing (the second pass when a floor was too high). */
  changesEverywhere = false,
): Promise<CalibrationSample> {
  // Scores of the first documents are kept (up to keep.maxTokens tokens) so the editing pass
  // does not compute them again: on a small corpus that saves a whole pass of the prior.
  const kept: KeptScores = new Map();
  let keptTokens = 0;
  // Doubles, as editing compares them: float32 rounding here could move the threshold across ties.
  let probs: Float64Array = new Float64Array(Math.min(selection.maxTokens, 1 << 16));
  const changing = selection.mode === 'changed-share';
  let changes = new Float64Array(changing ? probs.length : 0);
  let n = 0;
  let records = 0;
  const floor = new CandidateFloor(selection.targetShare);
  const changeFloor = new ChangedShareFloor(selection.targetShare);
  // Below-threshold selections take the least probable tokens: no floor applies to them.
  const floored = !keep.allCandidates && rule.options.select !== 'below' && !changesEverywhere;
  for await (const batch of batches(items, batchSize)) {
    records += batch.length;
    const docs = batch.flatMap((item) => (item.ok ? [item.doc] : []));
    const texts = docs.map((d) => d.text);
    const tokens = texts.map((t) => prior.tokenize(t));
    const keeping = keptTokens < keep.maxTokens;
    // Kept scores need candidates wherever the final p could select; the threshold is not known
    // yet, so they are read above a floor safely below it (see CandidateFloor). A changed-share
    // calibration weighs the candidates of the tokens it could select, from the most probable
    // down: it reads them above a floor of its own (ChangedShareFloor).
    const candidatesAbove = !floored ? -1 : changing ? changeFloor.value() : floor.value();
    const topK = changing ? Math.max(keep.topK, rule.options.topK) : keep.topK;
    const scores = await prior.score(tokens, keeping || changing ? { topK, entropy: keep.entropy, rank: keep.rank, candidatesAbove } : { topK: 0, entropy: false, rank: false });
    scores.forEach((s, d) => {
      if (keeping && keptTokens < keep.maxTokens) {
        kept.set(docs[d].id, { scores: s, floor: candidatesAbove });
        keptTokens += s.logProb.length;
      }
      const locked = rule.lockedOf?.(docs[d].id, tokens[d]);
      const values = selectionValues(prior, texts[d], tokens[d], s.logProb, rule.options, locked);
      const m = Math.min(values.length, selection.maxTokens - n);
      while (n + m > probs.length) probs = grow(probs, selection.maxTokens);
      probs.set(values.subarray(0, m), n);
      if (changing) {
        while (n + m > changes.length) changes = grow(changes, selection.maxTokens);
        const c = expectedChanges(texts[d], tokens[d], s, prior, { ...rule.options, locked }, candidatesAbove);
        changes.set(c.subarray(0, m), n);
        for (let i = 0; i < m; i++) changeFloor.add(values[i], c[i]);
      }
      for (let i = 0; i < m; i++) floor.add(values[i]);
      n += m;
    });
    if (n >= selection.maxTokens) break;
  }
  return { probs: probs.subarray(0, n), changes: changing ? changes.subarray(0, n) : undefined, records, kept };
}

/**
 * The kept scores the editing pass can use at threshold p. A document whose floor ended above p
 * lacks candidates the editing pass needs: it is scored again there. With the margin
 * CandidateFloor keeps this does not happen on ordinary text.
 */
export function usableScores(kept: KeptScores, p: number): Map<string, TokenScores> {
  const scores = new Map<string, TokenScores>();
  for (const [id, k] of kept) if (k.floor <= p) scores.set(id, k.scores);
  return scores;
}

function grow(a: Float64Array, max: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(Math.min(max, a.length * 2));
  b.set(a);
  return b;
}
