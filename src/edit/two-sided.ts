import type { PriorModel, TokenizedText, TokenScores } from '../prior/types.js';
import type { Rng } from '../random.js';
import { type CandidateSet, DocumentEditor, softmax } from './document-editor.js';
import { BLOCKED } from './selectable.js';
import type { EditCounts, EditingPrior, ResampleOptions, TokenEdit } from './edit-types.js';

/** What the two-sided draw asks of a prior beyond editing: its context size and scoring. */
export type TwoSidedPrior = EditingPrior & Pick<PriorModel, 'identity' | 'score'>;

/** Tokens after the edit a neural prior reads when the strategy names no lookahead. */
export const NEURAL_LOOKAHEAD = 4;

/**
 * Tokens of edited left context a neural prior's two-sided weights see. Shorter than the model's
 * context: each weight costs a forward pass over history + 1 + lookahead tokens per candidate,
 * and the draw mostly depends on the nearest words.
 */
export const NEURAL_HISTORY = 48;

/**
 * The lookahead of a prior: an n-gram prior of order n is exact with n - 1 (only the next n - 1
 * factors depend on the token at i); a neural prior reads `lookahead` tokens (default 4).
 */
export function lookaheadOf(prior: Pick<PriorModel, 'identity'>, lookahead: number | null): number {
  if (prior.identity.type === 'ngram') return prior.identity.contextSize;
  return lookahead ?? NEURAL_LOOKAHEAD;
}

/**
 * Two-sided resampling (beyond ToEdit; BRIEF 4b): a selected token is redrawn from the full
 * conditional P(x_i = c | x_<i, x_>i), proportional to P(c | x_<i) times the product over
 * j = i+1 .. i+m of P(x_j | x_<j with c at i), over ToEdit's candidates (top-k plus the
 * original), tempered as a whole by beta. For an n-gram prior with m = n - 1 this is a Gibbs step
 * under the prior. Positions are decided left to right and each sees the document as edited so
 * far, so a document's draws depend only on its own text, scores and random stream.
 */
export async function resampleDocumentTwoSided(
  text: string,
  tokens: TokenizedText,
  scores: TokenScores,
  prior: TwoSidedPrior,
  options: ResampleOptions,
  lookahead: number,
  rng: Rng,
): Promise<{ edits: TokenEdit[]; counts: EditCounts }> {
  const editor = new DocumentEditor(text, tokens, scores, prior, options);
  for (const i of editor.selected()) {
    const set = editor.candidates(i);
    editor.draw(i, set, rng, set.n > 1 ? await fullConditional(prior, editor.current, i, set, lookahead) : set.logProbs);
  }
  return { edits: editor.edits, counts: editor.counts };
}

/**
 * log P(c | x_<i) + Σ_{j=i+1..i+m} log P(x_j | x_<j, c at i) for every candidate c, with the
 * left context as edited so far. Each candidate is one short window (history, c, the next m
 * tokens) and the prior scores all of them in one batched call, which reads both factors. The
 * history is what the prior can use: n - 1 tokens for an n-gram prior (the same distribution as the
 * whole document, so the weights are exact), NEURAL_HISTORY tokens for a neural one.
 */
export async function fullConditional(prior: TwoSidedPrior, current: Int32Array, i: number, set: CandidateSet, lookahead: number): Promise<Float64Array> {
  const keep = prior.identity.type === 'ngram' ? prior.identity.contextSize : Math.min(NEURAL_HISTORY, prior.identity.contextSize - lookahead - 2);
  const history = current.subarray(Math.max(0, i - keep), i);
  const m = Math.min(lookahead, current.length - 1 - i);
  const h = history.length;
  const windows = Array.from(set.ids.subarray(0, set.n), (id) => {
    const ids = new Int32Array(h + 1 + m);
    ids.set(history);
    ids[h] = id;
    ids.set(current.subarray(i + 1, i + 1 + m), h + 1);
    // Scoring reads ids only; the spans are never looked at.
    return { ids, starts: new Int32Array(ids.length), ends: new Int32Array(ids.length) };
  });
  const scores = await prior.score(windows, { topK: 0, entropy: false, rank: false });
  return Float64Array.from(scores, (s) => {
    let sum = 0;
    for (let j = h; j <= h + m; j++) sum += s.logProb[j];
    return sum;
  });
}

/**
 * The changed-share threshold of a two-sided strategy on a corpus held in memory: tokens are taken
 * from the most probable down, each weighing its chance of changing under the two-sided draw (in
 * the unedited text), until the expected changes reach `target` of all tokens. Only the tokens
 * taken are weighed, so the cost is about one editing pass. A document may bring its own prior
 * (the simulator's cross-fitted ones) and provenance mask; otherwise `prior`, and none.
 */
export async function twoSidedChangedShare(
  corpus: readonly { doc: { text: string }; tokens: TokenizedText; scores: TokenScores; prior?: TwoSidedPrior; locked?: Uint8Array }[],
  prior: TwoSidedPrior,
  options: ResampleOptions,
  lookahead: number,
  target: number,
): Promise<number> {
  const editors = corpus.map((c) => new DocumentEditor(c.doc.text, c.tokens, c.scores, c.prior ?? prior, { ...options, locked: c.locked, deleteBelow: null }));
  const order: [number, number, number][] = [];
  let total = 0;
  corpus.forEach((c, d) => {
    total += c.tokens.ids.length;
    editors[d].mask.forEach((m, i) => m === BLOCKED.none && order.push([Math.exp(c.scores.logProb[i]), d, i]));
  });
  order.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2]);
  let expected = 0;
  let k = 0;
  while (k < order.length && expected < target * total) {
    const [, d, i] = order[k++];
    const set = editors[d].candidates(i);
    if (set.n === 0) continue;
    if (set.original < 0) expected += 1;
    else if (set.n > 1) expected += 1 - softmax(await fullConditional(corpus[d].prior ?? prior, corpus[d].tokens.ids, i, set, lookahead), set.n, options.beta)[set.original];
  }
  return k >= order.length ? 0 : order[k][0];
}
