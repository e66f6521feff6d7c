import type { CandidateWindow } from '../types.js';
import { logitsBytes } from './budget.js';
import { int64Tensor, logProbRows, type CausalLM, type LogProbRows } from './model.js';

/** What weighing candidates needs to know about the model. */
export interface LookaheadSetup {
  model: CausalLM;
  /** The family's document-start token, in front of every history. */
  bosId: number;
  /** The graph emits raw logits, not log-probabilities (a foreign model). */
  normalize: boolean;
  /** Candidate rows per forward pass: requests are grouped until their candidates fill it. */
  rows: number;
  /** Entries of one distribution (the logits' last dimension). */
  vocab: number;
  /** Bytes the logits of a group's two passes may take together (budget.ts); a group holds one request at least. */
  logitsBudget: number;
}

/**
 * The two-sided weights of several selected positions (of different documents) at once:
 * log P(c | history) + Σ_j log P(lookahead_j | history, c, lookahead_<j) for every candidate c.
 *
 * Two forward passes per group of requests instead of one window per candidate. The first runs
 * every request's history once, followed by the original token and its lookahead (the document
 * itself): the last history column gives the left factor of every candidate, the columns after it
 * the original's lookahead factors, and its key/value cache up to the history is the shared past.
 * The second feeds each other candidate and all but the last lookahead token (the last one is only
 * predicted) against its request's past, one row per candidate. Every fed position costs a full
 * distribution over the vocabulary (the graph ends in log_softmax), so the cost is about
 * history + (candidates - 1) x lookahead positions per request. Padding is masked and positions
 * come from the attention mask (tools/model/export.py's contract), so a row's numbers do not
 * depend on what shares its batch.
 */
export async function weighCandidates(setup: LookaheadSetup, requests: readonly CandidateWindow[]): Promise<Float64Array[]> {
  const out: Float64Array[] = [];
  let at = 0;
  while (at < requests.length) {
    let end = at + 1;
    let rows = requests[at].candidates.length;
    while (end < requests.length && rows + requests[end].candidates.length <= setup.rows && groupLogitsBytes(setup.vocab, requests.slice(at, end + 1)) <= setup.logitsBudget) rows += requests[end++].candidates.length;
    out.push(...(await weighGroup(setup, requests.slice(at, end))));
    at = end;
  }
  return out;
}

/**
 * Logits of a group's two passes, counted together because pass 1's output is still held while
 * pass 2 runs: R rows of 1 + history + lookahead columns, then up to one row per candidate of
 * lookahead columns (an upper bound: the original's row is not fed again).
 */
function groupLogitsBytes(vocab: number, group: readonly CandidateWindow[]): number {
  const width = 1 + Math.max(...group.map((r) => r.history.length));
  const steps = Math.max(...group.map((r) => r.lookahead.length));
  const candidates = group.reduce((sum, r) => sum + r.candidates.length, 0);
  return logitsBytes(group.length, width + steps, vocab) + logitsBytes(candidates, steps, vocab);
}

async function weighGroup(setup: LookaheadSetup, requests: readonly CandidateWindow[]): Promise<Float64Array[]> {
  const { model, bosId, normalize } = setup;
  const R = requests.length;
  // Pass 1: the document-start token (the context the model was trained with) + history,
  // left-padded so the last history token of every row sits in column width - 1, then the
  // original token's lookahead, right-padded: the original's row is the history's own row.
  const width = 1 + Math.max(...requests.map((r) => r.history.length));
  const steps = Math.max(...requests.map((r) => r.lookahead.length));
  const total = width + steps;
  const ids = new BigInt64Array(R * total).fill(BigInt(bosId));
  const mask = new BigInt64Array(R * total);
  requests.forEach((r, q) => {
    const pad = width - 1 - r.history.length;
    for (let j = pad; j < width + r.lookahead.length; j++) mask[q * total + j] = 1n;
    r.history.forEach((id, j) => (ids[q * total + pad + 1 + j] = BigInt(id)));
    if (r.lookahead.length > 0) ids[q * total + width] = BigInt(r.token);
    for (let j = 1; j < r.lookahead.length; j++) ids[q * total + width + j] = BigInt(r.lookahead[j - 1]);
  });
  const first = await model.forward({ input_ids: int64Tensor(ids, R, total), attention_mask: int64Tensor(mask, R, total), past_key_values: null });
  const one = logProbRows(first.logits, normalize);
  const weights = requests.map((r, q) => {
    const base = (q * one.steps + width - 1) * one.vocab;
    return Float64Array.from(r.candidates, (c) => one.data[base + c]);
  });
  const originals = requests.map((r) => r.candidates.indexOf(r.token));
  requests.forEach((r, q) => originals[q] >= 0 && (weights[q][originals[q]] += aheadSum(one, q, width, r.lookahead)));

  // Pass 2: one row per other candidate, against its request's history columns of pass 1's cache.
  const owners: { q: number; c: number }[] = [];
  requests.forEach((r, q) => r.lookahead.length > 0 && r.candidates.forEach((_, c) => c !== originals[q] && owners.push({ q, c })));
  if (owners.length === 0) return weights;
  const rows = owners.length;
  const feed = new BigInt64Array(rows * steps).fill(BigInt(bosId));
  const feedMask = new BigInt64Array(rows * total);
  owners.forEach(({ q, c }, row) => {
    const r = requests[q];
    feed[row * steps] = BigInt(r.candidates[c]);
    for (let j = 1; j < r.lookahead.length; j++) feed[row * steps + j] = BigInt(r.lookahead[j - 1]);
    feedMask.set(mask.subarray(q * total, q * total + width), row * total);
    for (let j = 0; j < r.lookahead.length; j++) feedMask[row * total + width + j] = 1n;
  });
  const second = await model.forward({
    input_ids: int64Tensor(feed, rows, steps),
    attention_mask: int64Tensor(feedMask, rows, total),
    past_key_values: model.historyRows(first.past_key_values, owners.map((o) => o.q), width),
  });
  const two = logProbRows(second.logits, normalize);
  owners.forEach(({ q, c }, row) => (weights[q][c] += aheadSum(two, row, 0, requests[q].lookahead)));
  return weights;
}

/** Σ_j log P(lookahead_j) read from row `row` of a pass, the prediction of lookahead_j sitting in column from + j. */
function aheadSum(rows: LogProbRows, row: number, from: number, lookahead: Int32Array): number {
  let sum = 0;
  for (let j = 0; j < lookahead.length; j++) sum += rows.data[(row * rows.steps + from + j) * rows.vocab + lookahead[j]];
  return sum;
}
