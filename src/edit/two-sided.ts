import type { CandidateWindow, PriorModel, TokenizedText, TokenScores } from '../prior/types.js';
import type { Rng } from '../random.js';
import { type CandidateSet, DocumentEditor, softmax } from './document-editor.js';
import { BLOCKED } from './selectable.js';
import type { EditCounts, EditingPrior, ResampleOptions, TokenEdit } from './edit-types.js';

/** What the two-sided draw asks of a prior beyond editing: its context size and scoring. */
export type TwoSidedPrior = EditingPrior & Pick<PriorModel, 'identity' | 'score' | 'weighCandidates'>;

/** Tokens after the edit a neural prior reads when the strategy names no lookahead. */
export const NEURAL_LOOKAHEAD = 4;

/**
 * Tokens of edited left context a neural prior's two-sided weights see. Shorter than the model's
 * context: each weight costs a forward pass over history + 1 + lookahead tokens per candidate,
 * and the draw mostly depends on the nearest words.
 */
export const NEURAL_HISTORY = 48;

/** Positions the changed-share calibration weighs per call to the prior. */
const CHANGED_SHARE_CHUNK = 64;

/**
 * The lookahead of a prior: an n-gram prior of order n is exact with n - 1 (only the next n - 1
 * factors depend on the token at i); a neural prior reads `lookahead` tokens (default 4).
 */
export function lookaheadOf(prior: Pick<PriorModel, 'identity'>, lookahead: number | null): number {
  if (prior.identity.type === 'ngram') return prior.identity.contextSize;
  return lookahead ?? NEURAL_LOOKAHEAD;
}

/** One document to edit with the two-sided draw: its text, tokens, scores, options and random stream. */
export interface TwoSidedDocument {
  text: string;
  tokens: TokenizedText;
  scores: TokenScores;
  options: ResampleOptions;
  rng: Rng;
}

/**
 * Two-sided resampling (beyond ToEdit; BRIEF 4b): a selected token is redrawn from the full
 * conditional P(x_i = c | x_<i, x_>i), proportional to P(c | x_<i) times the product over
 * j = i+1 .. i+m of P(x_j | x_<j with c at i), over ToEdit's candidates (top-k plus the
 * original), tempered as a whole by beta. For an n-gram prior with m = n - 1 this is a Gibbs step
 * under the prior.
 *
 * Documents are edited side by side in rounds: each round takes the next selected position of
 * every document that still has one and weighs them all in one call to the prior (one batch of
 * forward passes for a neural prior). Within a document positions are decided left to right and
 * each sees the document as edited so far, so a document's draws depend only on its own text,
 * scores and random stream, not on which documents share its rounds.
 */
export async function editDocumentsTwoSided(docs: readonly TwoSidedDocument[], prior: TwoSidedPrior, lookahead: number): Promise<{ edits: TokenEdit[]; counts: EditCounts }[]> {
  const editors = docs.map((d) => new DocumentEditor(d.text, d.tokens, d.scores, prior, d.options));
  const cursors = editors.map((e) => e.selected());
  let active = docs.map((_, d) => d);
  while (active.length > 0) {
    const pending: { d: number; i: number; set: CandidateSet }[] = [];
    for (const d of active) {
      // Positions with a single candidate need no weights: draw them on the way to the next one.
      for (let next = cursors[d].next(); !next.done; next = cursors[d].next()) {
        const set = editors[d].candidates(next.value);
        if (set.n > 1) {
          pending.push({ d, i: next.value, set });
          break;
        }
        editors[d].draw(next.value, set, docs[d].rng);
      }
    }
    const weights = await weighWindows(prior, pending.map((p) => candidateWindow(prior, editors[p.d].current, p.i, p.set, lookahead)));
    pending.forEach((p, q) => editors[p.d].draw(p.i, p.set, docs[p.d].rng, weights[q]));
    active = pending.map((p) => p.d);
  }
  return editors.map((e) => ({ edits: e.edits, counts: e.counts }));
}

/** One document's two-sided edits (editDocumentsTwoSided with a single document). */
export async function resampleDocumentTwoSided(
  text: string,
  tokens: TokenizedText,
  scores: TokenScores,
  prior: TwoSidedPrior,
  options: ResampleOptions,
  lookahead: number,
  rng: Rng,
): Promise<{ edits: TokenEdit[]; counts: EditCounts }> {
  return (await editDocumentsTwoSided([{ text, tokens, scores, options, rng }], prior, lookahead))[0];
}

/**
 * What the weights of position i read: the history the prior can use (n - 1 tokens for an n-gram
 * prior, the same distribution as the whole document, so the weights are exact; NEURAL_HISTORY
 * tokens for a neural one), the candidates, and the next m tokens, with the left context as edited
 * so far.
 */
export function candidateWindow(prior: TwoSidedPrior, current: Int32Array, i: number, set: CandidateSet, lookahead: number): CandidateWindow {
  const keep = prior.identity.type === 'ngram' ? prior.identity.contextSize : Math.min(NEURAL_HISTORY, prior.identity.contextSize - lookahead - 2);
  return {
    history: current.subarray(Math.max(0, i - keep), i),
    token: current[i],
    candidates: set.ids.subarray(0, set.n),
    lookahead: current.subarray(i + 1, i + 1 + Math.min(lookahead, current.length - 1 - i)),
  };
}

/**
 * log P(c | x_<i) + Σ_{j=i+1..i+m} log P(x_j | x_<j, c at i) for every candidate c of position i
 * (candidateWindow says what it reads).
 */
export async function fullConditional(prior: TwoSidedPrior, current: Int32Array, i: number, set: CandidateSet, lookahead: number): Promise<Float64Array> {
  return (await weighWindows(prior, [candidateWindow(prior, current, i, set, lookahead)]))[0];
}

/** The weights of several windows: over a shared cache where the prior offers it, else one scored window per candidate. */
async function weighWindows(prior: TwoSidedPrior, windows: readonly CandidateWindow[]): Promise<Float64Array[]> {
  if (windows.length === 0) return [];
  if (prior.weighCandidates) return prior.weighCandidates(windows);
  return Promise.all(windows.map((w) => windowByWindow(prior, w)));
}

/**
 * The weights of a chunk of positions: in one batch when every document shares the prior, else
 * each under its own document's prior (the simulator's cross-fitted priors).
 */
async function weighChunk<T extends { d: number }>(
  chunk: readonly T[],
  priorOf: (d: number) => TwoSidedPrior,
  windowOf: (c: T, prior: TwoSidedPrior) => CandidateWindow,
): Promise<Float64Array[]> {
  const shared = chunk.every((c) => priorOf(c.d) === priorOf(chunk[0].d));
  if (shared && chunk.length > 0) return weighWindows(priorOf(chunk[0].d), chunk.map((c) => windowOf(c, priorOf(c.d))));
  return Promise.all(chunk.map(async (c) => (await weighWindows(priorOf(c.d), [windowOf(c, priorOf(c.d))]))[0]));
}

/**
 * Each candidate as one short window (history, c, lookahead), all scored in one batched call that
 * reads both factors: exact for an n-gram prior, and the reference the cached neural path is
 * checked against.
 */
export async function windowByWindow(prior: Pick<PriorModel, 'score'>, w: CandidateWindow): Promise<Float64Array> {
  const h = w.history.length;
  const m = w.lookahead.length;
  const windows = Array.from(w.candidates, (id) => {
    const ids = new Int32Array(h + 1 + m);
    ids.set(w.history);
    ids[h] = id;
    ids.set(w.lookahead, h + 1);
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
  // Weighed a chunk at a time (one batch for a neural prior), then taken one by one: the same stop as one at a time.
  while (k < order.length && expected < target * total) {
    const chunk = order.slice(k, k + CHANGED_SHARE_CHUNK).map(([, d, i]) => ({ d, i, set: editors[d].candidates(i) }));
    const weighed = chunk.filter((c) => c.set.n > 1 && c.set.original >= 0);
    const weights = await weighChunk(weighed, (d) => corpus[d].prior ?? prior, (c, p) => candidateWindow(p, corpus[c.d].tokens.ids, c.i, c.set, lookahead));
    for (const c of chunk) {
      if (expected >= target * total) break;
      k++;
      if (c.set.n === 0) continue;
      if (c.set.original < 0) expected += 1;
      else if (c.set.n > 1) expected += 1 - softmax(weights[weighed.indexOf(c)], c.set.n, options.beta)[c.set.original];
    }
  }
  return k >= order.length ? 0 : order[k][0];
}
