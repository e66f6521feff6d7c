import { drawIndex } from '../prior/sampling.js';
import type { TokenizedText, TokenScores } from '../prior/types.js';
import type { Rng } from '../random.js';
import { Placement, type Span } from './placement.js';
import type { EditCounts, EditingPrior, ResampleOptions, TokenEdit } from './edit-types.js';
import { BLOCKED, selectionMask } from './selectable.js';

/** The candidates of one selected position that can be placed, with their left-context log-probabilities. */
export interface CandidateSet {
  n: number;
  ids: Int32Array;
  logProbs: Float64Array;
  spans: (Span | null)[];
  /** Index of the original token among them, or -1 (excluded). */
  original: number;
}

/**
 * One document's edits, decided position by position from left to right. What is selected, which
 * candidates may be drawn and how an edit is logged live here; how the candidates are weighted
 * (the left context only, or both sides) is the caller's, so ToEdit and the two-sided draw share it.
 */
export class DocumentEditor {
  readonly edits: TokenEdit[] = [];
  readonly counts: EditCounts;
  /** The token ids with every accepted replacement in place: the edited left context. */
  readonly current: Int32Array;
  readonly mask: Uint8Array;
  private readonly placement: Placement;
  /** End of the last logged span: a widened replacement may cover later tokens. */
  private lastEnd = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: TokenizedText,
    private readonly scores: TokenScores,
    private readonly prior: EditingPrior,
    private readonly options: ResampleOptions,
  ) {
    this.mask = selectionMask(prior, text, tokens, options);
    this.current = Int32Array.from(tokens.ids);
    this.placement = new Placement(text, tokens, prior, options.protectPatterns ?? []);
    this.counts = { tokens: tokens.ids.length, selected: 0, changed: 0, deleted: 0, protected: 0, locked: 0, partWords: 0 };
    for (const m of this.mask) {
      if (m === BLOCKED.protected) this.counts.protected++;
      else if (m === BLOCKED.locked) this.counts.locked++;
      else if (m === BLOCKED.partWord) this.counts.partWords++;
    }
  }

  /** The positions to resample, in order; deletions (deleteBelow) are made on the way. */
  *selected(): Generator<number> {
    const { starts } = this.tokens;
    const o = this.options;
    const below = o.select === 'below';
    for (let i = 1; i < this.tokens.ids.length; i++) {
      if (starts[i] < this.lastEnd || this.mask[i] !== BLOCKED.none) continue;
      const p = Math.exp(this.scores.logProb[i]);
      // Deleting takes a gap next to the token with it (Placement.deletion); a deletion that would
      // fuse two words is not made, and the token is left to the selection rule.
      const deletion = o.deleteBelow !== null && p < o.deleteBelow ? this.placement.deletion(i, this.lastEnd) : null;
      if (deletion) {
        this.placement.accept(deletion);
        this.edits.push({ ...this.base(i), start: deletion.start, end: deletion.end, original: this.text.slice(deletion.start, deletion.end), replacement: '', replacementId: -1, kind: 'delete', changed: true });
        this.lastEnd = deletion.end;
        this.counts.deleted++;
        this.counts.changed++;
        continue;
      }
      if (o.only ? o.only[i] !== 1 : below ? !(p < o.threshold) : !(p > o.threshold)) continue;
      this.counts.selected++;
      yield i;
    }
  }

  /**
   * The top-k (cut at top-p mass) plus the original unless excluded, without whitespace unless
   * asked, and without any candidate that cannot be placed (see Placement).
   */
  candidates(i: number): CandidateSet {
    const s = this.scores;
    const o = this.options;
    const k = Math.min(o.topK, s.topK);
    const set: CandidateSet = { n: 0, ids: new Int32Array(k + 1), logProbs: new Float64Array(k + 1), spans: [], original: -1 };
    const originalId = this.tokens.ids[i];
    const add = (id: number, lp: number, span: Span | null) => {
      if (id === originalId) set.original = set.n;
      set.ids[set.n] = id;
      set.logProbs[set.n++] = lp;
      set.spans.push(span);
    };
    const topP = o.topP ?? 1;
    let mass = 0;
    let hasOriginal = false;
    for (let j = 0; j < k && (topP >= 1 || mass < topP); j++) {
      const id = s.topIds[i * s.topK + j];
      const lp = s.topLogProbs[i * s.topK + j];
      if (id >= 0) mass += Math.exp(lp);
      if (id < 0 || (!o.editWhitespace && this.prior.tokenText(id).trim() === '')) continue;
      if (id === originalId) {
        hasOriginal = true;
        if (!o.excludeOriginal) add(id, lp, null);
        continue;
      }
      const span = this.placement.place(i, id, this.prior.replacementSpan(this.text, this.tokens, i, id));
      if (span && span.start >= this.lastEnd) add(id, lp, span);
    }
    if (!hasOriginal && !o.excludeOriginal) add(originalId, s.logProb[i], null);
    return set;
  }

  /** Draw from softmax(logit / beta) over the candidates and log the edit; `logits` default to the left-context log-probabilities. */
  draw(i: number, set: CandidateSet, rng: Rng, logits: ArrayLike<number> = set.logProbs): void {
    const base = this.base(i);
    const keep = () => {
      this.edits.push({ ...base, replacement: base.original, replacementId: base.originalId, kind: 'resample', changed: false });
      this.lastEnd = this.tokens.ends[i];
    };
    if (set.n === 0) return keep(); // nothing to draw from: keep the token
    const weights = softmax(logits, set.n, this.options.beta);
    const j = drawIndex(weights, set.n, 1, rng);
    const span = set.spans[j];
    if (j === set.original || !span) return keep();
    this.placement.accept(span);
    this.current[i] = set.ids[j];
    this.counts.changed++;
    this.lastEnd = span.end;
    this.edits.push({ ...base, start: span.start, end: span.end, original: this.text.slice(span.start, span.end), replacement: span.text, replacementId: set.ids[j], kind: 'resample', changed: true });
  }

  private base(i: number) {
    const { starts, ends, ids } = this.tokens;
    return { position: i, start: starts[i], end: ends[i], original: this.text.slice(starts[i], ends[i]), originalId: ids[i], p: Math.exp(this.scores.logProb[i]), rank: this.scores.rank[i] };
  }
}

/** softmax(logit / beta) over the first n entries, normalized to sum 1. */
export function softmax(logits: ArrayLike<number>, n: number, beta: number): Float64Array {
  const w = new Float64Array(n);
  let max = -Infinity;
  for (let j = 0; j < n; j++) max = Math.max(max, logits[j] / beta);
  let total = 0;
  for (let j = 0; j < n; j++) total += w[j] = Math.exp(logits[j] / beta - max);
  for (let j = 0; j < n; j++) w[j] /= total;
  return w;
}
