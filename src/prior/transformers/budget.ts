import { TailguardError } from '../../errors.js';

/**
 * How much of a pretrained model one forward pass may hold. A pass returns a float32 distribution
 * over the whole vocabulary for every fed position: rows x width x vocab x 4 bytes. For the shipped
 * model (256 x 8192) that is 8 MB a window; for Qwen2.5 (32K context, 152K vocabulary) one window
 * of its whole context would be 20 GB, and attention grows with the square of the width. So the
 * window is capped, and the rows of a pass are cut down to a budget (docs/priors.md, "memory").
 */

/**
 * Default cap on the scoring window: GPT-2's own context. Left context beyond ~1K tokens changes a
 * token's log-probability little, while cost grows with it (attention quadratically); with the
 * default stride of half a window every scored token still sees at least 512 tokens.
 */
export const DEFAULT_WINDOW = 1024;
/** Default budget of one pass's logits, in MiB. */
export const DEFAULT_LOGITS_BUDGET_MB = 512;
const BYTES_PER_LOGIT = 4;

/** The scoring window: the requested cap (validated against the model's context) or min(context, DEFAULT_WINDOW). */
export function scoringWindow(modelContext: number, requested: number | undefined, model = 'the model'): number {
  const window = requested ?? Math.min(modelContext, DEFAULT_WINDOW);
  if (!Number.isInteger(window) || window < 2 || window > modelContext) {
    throw new TailguardError('config', `prior.window must be an integer in 2..${modelContext} (the context of ${model}), got ${requested}`);
  }
  return window;
}

/** The logits budget in bytes; a positive number of MiB or the default. */
export function logitsBudgetBytes(megabytes: number | undefined): number {
  const mb = megabytes ?? DEFAULT_LOGITS_BUDGET_MB;
  if (!Number.isFinite(mb) || mb <= 0) throw new TailguardError('config', `prior.logitsBudgetMB must be a positive number, got ${megabytes}`);
  return mb * 1024 * 1024;
}

/** Bytes of the logits of a pass of `rows` rows of `width` positions. */
export function logitsBytes(rows: number, width: number, vocab: number): number {
  return rows * width * vocab * BYTES_PER_LOGIT;
}

/** Rows of `width` positions one pass may hold: at most `maxRows`, within the budget, and always at least one. */
export function rowsPerPass(width: number, vocab: number, budgetBytes: number, maxRows: number): number {
  return Math.max(1, Math.min(maxRows, Math.floor(budgetBytes / logitsBytes(1, width, vocab))));
}

/**
 * Cut windows sorted longest first (their widths) into passes of at most `maxRows` windows whose
 * logits stay within the budget; a pass is as wide as its first window. Returns [start, end) pairs.
 */
export function planPasses(widths: readonly number[], vocab: number, budgetBytes: number, maxRows: number): [number, number][] {
  const passes: [number, number][] = [];
  for (let at = 0; at < widths.length; ) {
    const end = Math.min(widths.length, at + rowsPerPass(widths[at], vocab, budgetBytes, maxRows));
    passes.push([at, end]);
    at = end;
  }
  return passes;
}
