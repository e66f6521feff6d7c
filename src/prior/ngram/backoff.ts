import { type ContextLevel, type Discounts, contextLevels, pick } from './context-index.js';
import type { GramColumns } from './grams.js';
import { BOS } from './vocabulary.js';

/**
 * The tables of an interpolated modified Kneser-Ney model (Chen & Goodman 1998) and the back-off
 * queries on them. Scoring (`score.ts`), top-k (`top-k.ts`) and sampling (`sample.ts`) read these
 * fields directly: they are public only so that those modules need no accessor in their loops.
 * Nothing outside src/prior/ngram sees this class; `KneserNeyModel` is the public face.
 *
 * The full next-token distribution after a context is
 *   p(w) = s(w) + G · p1(w)
 * where p1 is the interpolated unigram distribution (dense, precomputed, with a uniform floor so
 * every word has probability > 0), G the product of the back-off weights of the seen contexts,
 * and s a sparse sum over the followers of those contexts.
 */
export class BackoffTables {
  readonly order: number;
  /** levels[k]: contexts of k words → followers (k = order - 1 is the top order, raw counts). */
  readonly levels: ContextLevel[];
  readonly discount: Discounts[];
  /** Interpolated unigram probabilities, 0 for `<s>` (never predicted). */
  readonly p1: Float64Array;
  /** Ids by p1 descending (ties by id) and their p1, for ranks and top-k of the dense part. */
  readonly sortedIds: Int32Array;
  readonly sortedP1: Float64Array;
  /** Cumulative p1 in id order, for sampling the dense part by binary search. */
  readonly cumP1: Float64Array;
  readonly sumP1LogP1: number;
  /** Σ p1 (log p1)²: with sumP1LogP1, the moments of log p under the dense part. */
  readonly sumP1LogP1Sq: number;

  // Scratch accumulator for s(w), filled by `accumulate`: dense values, list of touched ids,
  // membership marks. One per model, shared by scoring and sampling (each refills it first).
  readonly acc: Float64Array;
  readonly touched: Int32Array;
  readonly mark: Uint8Array;
  /** Number of valid entries of `touched`; written only by `accumulate`. */
  nTouched = 0;
  /** How many of them the first (longest) seen context touched: they come first. */
  nFirst = 0;
  /** Scratch for `probOf`'s context lookup. */
  private readonly nodes: Int32Array;

  /** `top`: the distinct n-grams of the highest order and their counts, in ascending id order. */
  constructor(top: GramColumns, v: number) {
    this.order = top.cols.length;
    this.levels = contextLevels(top, v);
    this.discount = this.levels.map((l) => l.discount);
    this.p1 = this.unigram(v);
    this.sortedIds = Int32Array.from({ length: v }, (_, i) => i).sort((a, b) => this.p1[b] - this.p1[a] || a - b);
    this.sortedP1 = Float64Array.from(this.sortedIds, (id) => this.p1[id]);
    this.cumP1 = new Float64Array(v);
    let cum = 0;
    let plogp = 0;
    let plogp2 = 0;
    for (let i = 0; i < v; i++) {
      cum += this.p1[i];
      this.cumP1[i] = cum;
      if (this.p1[i] > 0) {
        const l = Math.log(this.p1[i]);
        plogp += this.p1[i] * l;
        plogp2 += this.p1[i] * l * l;
      }
    }
    this.sumP1LogP1 = plogp;
    this.sumP1LogP1Sq = plogp2;
    this.acc = new Float64Array(v);
    this.touched = new Int32Array(v);
    this.mark = new Uint8Array(v);
    this.nodes = new Int32Array(this.order);
  }

  /** Number of distinct n-grams per order. */
  get sizes(): number[] {
    return this.levels.map((l) => l.words.length);
  }

  private unigram(v: number): Float64Array {
    const level = this.levels[0];
    const p = new Float64Array(v);
    const floor = 1 / (v - 1); // uniform over every id but <s>
    if (level.groups === 0) {
      p.fill(floor);
      p[BOS] = 0;
      return p;
    }
    const d = level.discount;
    const gamma = level.gamma[0];
    for (let i = 0; i < v; i++) p[i] = gamma * floor;
    for (let j = 0; j < level.words.length; j++) p[level.words[j]] += Math.max(0, level.counts[j] - pick(d, level.counts[j])) / level.total[0];
    p[BOS] = 0;
    return p;
  }

  /**
   * The context groups before position `end` of `history` (left-padded with `<s>`) into `nodes`:
   * nodes[k] is the group of the last k ids at level k, or -1 when that context was never seen
   * (then every longer one is unseen too). nodes[0] is the empty context.
   */
  contextNodes(history: ArrayLike<number>, end: number, nodes: Int32Array): Int32Array {
    let node = this.levels[0].groups > 0 ? 0 : -1;
    nodes[0] = node;
    for (let k = 1; k < this.order; k++) {
      const pos = end - k;
      if (node >= 0 || k === 1) node = this.levels[k].find(node, pos >= 0 ? history[pos] : BOS);
      nodes[k] = node;
    }
    return nodes;
  }

  /**
   * Load the sparse mass of levels 1..top for the context `nodes` (from `contextNodes`) into the
   * scratch space (flat sums, for sampling and for collecting touched ids), and return the
   * product of their back-off weights. Valid until the next call.
   */
  accumulate(nodes: Int32Array, top = this.order - 1): number {
    for (let t = 0; t < this.nTouched; t++) {
      const id = this.touched[t];
      this.acc[id] = 0;
      this.mark[id] = 0;
    }
    this.nTouched = 0;
    this.nFirst = -1;
    let scale = 1;
    for (let k = top; k >= 1; k--) {
      const g = nodes[k];
      if (g < 0) continue; // unseen context: this level equals the one below
      const level = this.levels[k];
      const d = level.discount;
      const inv = scale / level.total[g];
      for (let j = level.start[g]; j < level.start[g + 1]; j++) {
        const c = level.counts[j];
        const add = (c - pick(d, c)) * inv;
        if (add <= 0) continue;
        const id = level.words[j];
        if (!this.mark[id]) {
          this.mark[id] = 1;
          this.touched[this.nTouched++] = id;
        }
        this.acc[id] += add;
      }
      scale *= level.gamma[g];
      if (this.nFirst < 0) this.nFirst = this.nTouched;
    }
    if (this.nFirst < 0) this.nFirst = 0;
    return scale;
  }

  /**
   * p(x | context before `end`) by the nested recursion p_k = a_k + γ_k · p_{k-1}, p_0 = p1:
   * O(order · log followers). Scoring uses the same recursion, so values agree to the last bit.
   */
  probOf(history: ArrayLike<number>, end: number, x: number): number {
    const nodes = this.contextNodes(history, end, this.nodes);
    let p = this.p1[x];
    for (let k = 1; k < this.order; k++) {
      const g = nodes[k];
      if (g < 0) break; // unseen, and so is every longer context
      const level = this.levels[k];
      const j = level.follower(g, x);
      p = (j >= 0 ? level.discounted(g, j) : 0) + level.gamma[g] * p;
    }
    return p;
  }
}
