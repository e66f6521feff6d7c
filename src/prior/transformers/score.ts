import { emptyScores } from '../scores.js';
import type { TokenizedText, TokenScores } from '../types.js';
import { int64Tensor, logProbRows, type CausalLM } from './model.js';
import type { ReadoutPlan } from '../readout-plan.js';
import { Readout } from './readout.js';
import { planWindows, type ScoringWindow } from './windows.js';
import { planPasses } from './budget.js';

/** What scoring needs to know about the model. */
export interface ScoringSetup {
  model: CausalLM;
  /** The start symbol fed before every document (special-tokens.ts). */
  bosId: number;
  vocabSize: number;
  context: number;
  stride: number;
  /** Most windows per forward pass. */
  batchSize: number;
  /** Bytes the logits of one pass may take (budget.ts); fewer windows share a pass when they are wide. */
  logitsBudget: number;
  /** 1 for tokens that may appear in top-k lists. */
  emittable: Uint8Array;
  /** The graph emits raw logits, not log-probabilities (a foreign model). */
  normalize: boolean;
}

interface Job {
  doc: number;
  window: ScoringWindow;
}

/**
 * Score documents: the family's start symbol (<|endoftext|>, <s>) is prepended so position 0 is
 * scored, long documents are cut into overlapping windows (see windows.ts), and windows of all
 * documents are batched together, longest first so a batch pads little. Padding goes on the right
 * and is masked; positions come from the attention mask (in the graph, or as position_ids fed by
 * model.ts), so a window's numbers do not depend on what shares its batch, and every window starts
 * at position 0, exactly as if it were scored alone. That is also why the logits budget may cut a
 * batch into smaller passes without changing a single number.
 */
export async function scoreDocuments(setup: ScoringSetup, docs: readonly TokenizedText[], topK: number, plan: ReadoutPlan): Promise<TokenScores[]> {
  const { model, bosId, vocabSize, context, stride, batchSize, emittable } = setup;
  const k = Math.max(0, Math.min(topK, vocabSize));
  const results: TokenScores[] = docs.map((d) => emptyScores(d.ids.length, k, plan.moments));
  const jobs: Job[] = [];
  docs.forEach((d, doc) => {
    for (const window of planWindows(d.ids.length, context, stride)) jobs.push({ doc, window });
  });
  jobs.sort((a, b) => b.window.end - b.window.start - (a.window.end - a.window.start) || a.doc - b.doc);

  // s[j] of document d: the start symbol, then the document's ids.
  const tokenAt = (d: number, j: number): number => (j === 0 ? bosId : docs[d].ids[j - 1]);

  const widths = jobs.map((j) => j.window.end - j.window.start);
  for (const [at, end] of planPasses(widths, vocabSize, setup.logitsBudget, batchSize)) {
    const batch = jobs.slice(at, end);
    const width = batch[0].window.end - batch[0].window.start; // longest first
    const ids = new BigInt64Array(batch.length * width).fill(BigInt(bosId));
    const mask = new BigInt64Array(batch.length * width);
    batch.forEach(({ doc, window }, r) => {
      for (let j = window.start; j < window.end; j++) {
        ids[r * width + j - window.start] = BigInt(tokenAt(doc, j));
        mask[r * width + j - window.start] = 1n;
      }
    });
    const out = await model.forward({
      input_ids: int64Tensor(ids, batch.length, width),
      attention_mask: int64Tensor(mask, batch.length, width),
    });
    const { data, steps, vocab } = logProbRows(out.logits, setup.normalize);
    const readout = new Readout(data, vocab, emittable, plan);
    batch.forEach(({ doc, window }, r) => {
      const sink = results[doc];
      // Input position i of the window predicts target window.start + 1 + i.
      for (let target = window.first; target <= window.end; target++) {
        const i = target - 1 - window.start;
        readout.position((r * steps + i) * vocab, tokenAt(doc, target), sink, target - 1);
      }
    });
  }
  return results;
}
