import type { ReadItem } from '../corpus/document.js';
import { type Calibration, calibrateThreshold } from '../edit/threshold.js';
import type { PriorModel } from '../prior/types.js';
import { batches } from './ordered-map.js';

/**
 * First pass of a calibrated run: score the corpus (up to `maxTokens` tokens, from the first
 * documents) and pick p so that `targetShare` of all tokens have P > p, the way the paper counts
 * its 12.5%. Tokens ToEdit never selects (position 0, a token the prior cannot write back such as
 * `<unk>`) enter with probability 0, so they count in the share without being selectable.
 */
export async function calibrate(
  prior: PriorModel,
  items: () => AsyncIterable<ReadItem>,
  selection: { targetShare: number; maxTokens: number },
  batchSize: number,
): Promise<Calibration> {
  const probs = new Float32Array(selection.maxTokens);
  let n = 0;
  for await (const batch of batches(items(), batchSize)) {
    const tokens = batch.flatMap((item) => (item.ok ? [prior.tokenize(item.doc.text)] : []));
    const scores = await prior.score(tokens, { topK: 0 });
    scores.forEach((s, d) => {
      for (let i = 0; i < s.logProb.length && n < probs.length; i++) probs[n++] = i > 0 && prior.isEmittable(tokens[d].ids[i]) ? Math.exp(s.logProb[i]) : 0;
    });
    if (n >= probs.length) break;
  }
  return calibrateThreshold(probs.subarray(0, n), selection.targetShare);
}
