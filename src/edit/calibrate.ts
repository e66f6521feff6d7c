import { batches } from '../corpus/batches.js';
import type { ReadItem } from '../corpus/document.js';
import type { PriorModel, TokenizedText, TokenScores } from '../prior/types.js';
import type { CalibratedSelection } from './config.js';
import { type EditingPrior, isSelectable } from './resample.js';
import { type Calibration, calibrateThreshold } from './threshold.js';

/**
 * The calibration of a selection, in one place for the pipeline, `compare` and the simulator:
 * every token enters with the value its selection is decided on, and tokens editing may never
 * select (position 0, a token the prior cannot write back such as `<unk>`, whitespace unless
 * editWhitespace, a locked position) enter on the side that keeps them out, so the target share
 * counts what editing can actually select, the way the paper counts its 12.5%.
 */
export interface SelectionRule {
  editWhitespace: boolean;
  /** 'below' calibrates the low-probability end: P < p instead of P > p. */
  select?: 'above' | 'below';
  /** Provenance mask of the document (1 = edited in an earlier generation: never selected). */
  locked?: Uint8Array;
}

/** A token's value for calibrateThreshold: P (or -P below), and 0 (or -Infinity) when it can never be selected. */
export function selectionValue(prior: EditingPrior, text: string, tokens: TokenizedText, i: number, logProb: number, rule: SelectionRule): number {
  const selectable = !rule.locked?.[i] && isSelectable(prior, text, tokens, i, rule.editWhitespace);
  if (rule.select === 'below') return selectable ? -Math.exp(logProb) : -Infinity;
  return selectable ? Math.exp(logProb) : 0;
}

/** A document held in memory with every token's log-probability under the prior. */
export interface ScoredText {
  text: string;
  tokens: TokenizedText;
  logProb: ArrayLike<number>;
}

/**
 * The threshold that selects `targetShare` of the tokens of a scored corpus held in memory (the
 * first `maxTokens` of them): P > p above, P < p below. `lockedOf` gives a document's provenance
 * mask, where there is one.
 */
export function calibrateOnCorpus(
  prior: EditingPrior,
  docs: Iterable<ScoredText>,
  selection: Pick<CalibratedSelection, 'targetShare' | 'maxTokens'>,
  rule: Omit<SelectionRule, 'locked'>,
  lockedOf?: (d: number) => Uint8Array,
): number {
  const values: number[] = [];
  let d = 0;
  for (const { text, tokens, logProb } of docs) {
    const r = { ...rule, locked: lockedOf?.(d++) };
    for (let i = 0; i < tokens.ids.length && values.length < selection.maxTokens; i++) values.push(selectionValue(prior, text, tokens, i, logProb[i], r));
  }
  const { p } = calibrateThreshold(Float64Array.from(values), selection.targetShare);
  return rule.select === 'below' ? -p : p;
}

/** Scores kept from the calibration pass for the editing pass, with the candidate floor each was read above. */
export type KeptScores = Map<string, { scores: TokenScores; floor: number }>;

/** What a calibration pass over (part of) a corpus yields: every token's selectable probability, in corpus order, and the kept scores. */
export interface CalibrationSample {
  probs: Float64Array;
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
 * documents) and pick p so that `targetShare` of all tokens have P > p, the way the paper counts
 * its 12.5%. Tokens ToEdit never selects (position 0, a token the prior cannot write back such as
 * `<unk>`, whitespace unless editWhitespace) enter with probability 0, so they count in the share
 * without being selectable.
 */
export async function calibrate(
  prior: PriorModel,
  items: () => AsyncIterable<ReadItem>,
  selection: { targetShare: number; maxTokens: number },
  batchSize: number,
  editWhitespace: boolean,
  keep: KeepOptions,
): Promise<{ calibration: Calibration; scores: Map<string, TokenScores> }> {
  const sample = await calibrationSample(prior, items(), selection, batchSize, editWhitespace, keep);
  const calibration = calibrateThreshold(sample.probs, selection.targetShare);
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
  selection: { targetShare: number; maxTokens: number },
  batchSize: number,
  editWhitespace: boolean,
  keep: KeepOptions,
): Promise<CalibrationSample> {
  // Scores of the first documents are kept (up to keep.maxTokens tokens) so the editing pass
  // does not compute them again: on a small corpus that saves a whole pass of the prior.
  const kept: KeptScores = new Map();
  let keptTokens = 0;
  // Doubles, as editing compares them: float32 rounding here could move the threshold across ties.
  let probs: Float64Array = new Float64Array(Math.min(selection.maxTokens, 1 << 16));
  let n = 0;
  let records = 0;
  const floor = new CandidateFloor(selection.targetShare);
  for await (const batch of batches(items, batchSize)) {
    records += batch.length;
    const docs = batch.flatMap((item) => (item.ok ? [item.doc] : []));
    const texts = docs.map((d) => d.text);
    const tokens = texts.map((t) => prior.tokenize(t));
    const keeping = keptTokens < keep.maxTokens;
    // Kept scores need candidates wherever the final p could select; the threshold is not known
    // yet, so they are read above a floor safely below it (see CandidateFloor).
    const candidatesAbove = keep.allCandidates ? -1 : floor.value();
    const scores = await prior.score(tokens, keeping ? { topK: keep.topK, entropy: keep.entropy, rank: keep.rank, candidatesAbove } : { topK: 0, entropy: false, rank: false });
    scores.forEach((s, d) => {
      if (keeping && keptTokens < keep.maxTokens) {
        kept.set(docs[d].id, { scores: s, floor: candidatesAbove });
        keptTokens += s.logProb.length;
      }
      for (let i = 0; i < s.logProb.length && n < selection.maxTokens; i++) {
        if (n === probs.length) probs = grow(probs, selection.maxTokens);
        probs[n++] = selectionValue(prior, texts[d], tokens[d], i, s.logProb[i], { editWhitespace });
        floor.add(probs[n - 1]);
      }
    });
    if (n >= selection.maxTokens) break;
  }
  return { probs: probs.subarray(0, n), records, kept };
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

/**
 * A running lower bound for the calibrated threshold: the probability above which twice the target
 * share (plus 2 points) of the tokens seen so far lie, from a 1000-bin histogram. Reading
 * candidates only above it skips most of a neural prior's top-k passes during calibration, while
 * the threshold (the target-share quantile) would have to drift far to fall below it.
 */
class CandidateFloor {
  private readonly bins = new Float64Array(1000);
  private count = 0;

  constructor(private readonly targetShare: number) {}

  add(p: number): void {
    this.bins[Math.min(999, Math.floor(p * 1000))]++;
    this.count++;
  }

  /** -1 (candidates everywhere) until enough tokens were seen to trust the histogram. */
  value(): number {
    if (this.count < 5000) return -1;
    const wanted = Math.min(1, 2 * this.targetShare + 0.02) * this.count;
    let above = 0;
    for (let b = 999; b >= 0; b--) {
      above += this.bins[b];
      if (above >= wanted) return b === 0 ? -1 : b / 1000;
    }
    return -1;
  }
}

function grow(a: Float64Array, max: number): Float64Array {
  const b = new Float64Array(Math.min(max, a.length * 2));
  b.set(a);
  return b;
}
