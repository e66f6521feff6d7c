import type { ReadItem } from '../corpus/document.js';
import { type Calibration, calibrateThreshold } from '../edit/threshold.js';
import { isSelectable } from '../edit/resample.js';
import type { PriorModel, TokenScores } from '../prior/types.js';
import type { PipelineConfig } from './config.js';
import { batches } from './ordered-map.js';

/** Tokens whose calibration-pass scores are kept for the editing pass (~76 bytes each at top-8). */
export const SCORE_CACHE_TOKENS = 2_000_000;

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
}

/**
 * What a pipeline's editing pass needs of the kept scores: its top-k candidates, and entropy and
 * candidates everywhere when per-token scores are written; `maxTokens` of them at most.
 */
export function keepFor(config: PipelineConfig, maxTokens = SCORE_CACHE_TOKENS): KeepOptions {
  return { topK: config.edit.topK, maxTokens, entropy: config.writeScores, allCandidates: config.writeScores };
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
    const scores = await prior.score(tokens, keeping ? { topK: keep.topK, entropy: keep.entropy, candidatesAbove } : { topK: 0, entropy: false, rank: false });
    scores.forEach((s, d) => {
      if (keeping && keptTokens < keep.maxTokens) {
        kept.set(docs[d].id, { scores: s, floor: candidatesAbove });
        keptTokens += s.logProb.length;
      }
      for (let i = 0; i < s.logProb.length && n < selection.maxTokens; i++) {
        if (n === probs.length) probs = grow(probs, selection.maxTokens);
        probs[n++] = isSelectable(prior, texts[d], tokens[d], i, editWhitespace) ? Math.exp(s.logProb[i]) : 0;
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
