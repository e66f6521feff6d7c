import type { ReadItem } from '../corpus/document.js';
import { type Calibration, calibrateThreshold } from '../edit/threshold.js';
import { isSelectable } from '../edit/resample.js';
import type { PriorModel, TokenScores } from '../prior/types.js';
import { batches } from './ordered-map.js';

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
  keep: { topK: number; maxTokens: number; entropy: boolean },
): Promise<{ calibration: Calibration; scores: Map<string, TokenScores> }> {
  // Scores of the first documents are kept (up to keep.maxTokens tokens) so the editing pass
  // does not compute them again: on a small corpus that saves a whole pass of the prior.
  const kept = new Map<string, TokenScores>();
  let keptTokens = 0;
  // Doubles, as editing compares them: float32 rounding here could move the threshold across ties.
  let probs: Float64Array = new Float64Array(Math.min(selection.maxTokens, 1 << 16));
  let n = 0;
  for await (const batch of batches(items(), batchSize)) {
    const docs = batch.flatMap((item) => (item.ok ? [item.doc] : []));
    const texts = docs.map((d) => d.text);
    const tokens = texts.map((t) => prior.tokenize(t));
    const scores = await prior.score(tokens, { topK: keptTokens < keep.maxTokens ? keep.topK : 0, entropy: keep.entropy });
    scores.forEach((s, d) => {
      if (keptTokens < keep.maxTokens && s.topK === keep.topK) {
        kept.set(docs[d].id, s);
        keptTokens += s.logProb.length;
      }
      for (let i = 0; i < s.logProb.length && n < selection.maxTokens; i++) {
        if (n === probs.length) probs = grow(probs, selection.maxTokens);
        probs[n++] = isSelectable(prior, texts[d], tokens[d], i, editWhitespace) ? Math.exp(s.logProb[i]) : 0;
      }
    });
    if (n >= selection.maxTokens) break;
  }
  return { calibration: calibrateThreshold(probs.subarray(0, n), selection.targetShare), scores: kept };
}

function grow(a: Float64Array, max: number): Float64Array {
  const b = new Float64Array(Math.min(max, a.length * 2));
  b.set(a);
  return b;
}
