import { type ContextEntry, type NGramCounts, contextTables, discounts } from './counts.js';
import { BOS, UNK, type Vocabulary } from './vocabulary.js';

type Discounts = [number, number, number];

/**
 * Interpolated modified Kneser-Ney (Chen & Goodman 1998) over a fixed vocabulary.
 *
 * The full next-token distribution after a context is
 *   p(w) = s(w) + G · p1(w)
 * where p1 is the interpolated unigram distribution (dense, precomputed, with a uniform floor so
 * every word has probability > 0), G the product of the back-off weights of the seen contexts,
 * and s a sparse sum over the followers of those contexts. Probability, rank, entropy and top-k
 * are all computed from that form in time proportional to the number of followers, never to
 * the vocabulary size: that is what makes corpus-scale scoring cheap.
 */
export class KneserNeyModel {
  readonly order: number;
  readonly vocab: Vocabulary;
  readonly trainingTokens: number;
  /** tables[k]: contexts of k words → followers (k = order - 1 is the top order, raw counts). */
  private readonly tables: Map<string, ContextEntry>[];
  private readonly discount: Discounts[];
  /** Interpolated unigram probabilities, 0 for `<s>` (never predicted). */
  readonly p1: Float64Array;
  /** Ids by p1 descending (ties by id) and their p1, for ranks and top-k of the dense part. */
  private readonly sortedIds: Int32Array;
  private readonly sortedP1: Float64Array;
  /** Cumulative p1 in id order, for sampling the dense part by binary search. */
  private readonly cumP1: Float64Array;
  private readonly sumP1LogP1: number;

  // Scratch accumulator for s(w): dense values, list of touched ids, membership marks.
  private readonly acc: Float64Array;
  private readonly touched: Int32Array;
  private readonly mark: Uint8Array;
  private nTouched = 0;

  constructor(counts: NGramCounts, vocab: Vocabulary) {
    this.order = counts.order;
    this.vocab = vocab;
    this.trainingTokens = counts.tokens;
    this.tables = contextTables(counts);
    this.discount = this.tables.map(discounts);
    const v = vocab.size;
    this.p1 = this.unigram(v);
    this.sortedIds = Int32Array.from({ length: v }, (_, i) => i).sort((a, b) => this.p1[b] - this.p1[a] || a - b);
    this.sortedP1 = Float64Array.from(this.sortedIds, (id) => this.p1[id]);
    this.cumP1 = new Float64Array(v);
    let cum = 0;
    let plogp = 0;
    for (let i = 0; i < v; i++) {
      cum += this.p1[i];
      this.cumP1[i] = cum;
      if (this.p1[i] > 0) plogp += this.p1[i] * Math.log(this.p1[i]);
    }
    this.sumP1LogP1 = plogp;
    this.acc = new Float64Array(v);
    this.touched = new Int32Array(v);
    this.mark = new Uint8Array(v);
  }

  /** Number of distinct n-grams per order, for model cards and manifests. */
  get sizes(): number[] {
    return this.tables.map((t) => [...t.values()].reduce((s, e) => s + e.ids.length, 0));
  }

  get discounts(): readonly Discounts[] {
    return this.discount;
  }

  private unigram(v: number): Float64Array {
    const entry = this.tables[0].get('');
    const p = new Float64Array(v);
    const floor = 1 / (v - 1); // uniform over every id but <s>
    if (!entry) {
      p.fill(floor);
      p[BOS] = 0;
      return p;
    }
    const d = this.discount[0];
    const gamma = backoffWeight(entry, d);
    for (let i = 0; i < v; i++) p[i] = gamma * floor;
    for (let j = 0; j < entry.ids.length; j++) p[entry.ids[j]] += Math.max(0, entry.counts[j] - pick(d, entry.counts[j])) / entry.total;
    p[BOS] = 0;
    return p;
  }

  /**
   * Load s(w) for the context that precedes position `end` of `history` (left-padded with
   * `<s>`), and return G. The result stays valid until the next call.
   */
  accumulate(history: ArrayLike<number>, end: number): number {
    for (let t = 0; t < this.nTouched; t++) {
      const id = this.touched[t];
      this.acc[id] = 0;
      this.mark[id] = 0;
    }
    this.nTouched = 0;
    let scale = 1;
    let key = '';
    const keys: string[] = [''];
    for (let k = 1; k < this.order; k++) {
      const pos = end - k;
      const id = pos >= 0 ? history[pos] : BOS;
      key = k === 1 ? String(id) : `${id},${key}`;
      keys.push(key);
    }
    for (let k = this.order - 1; k >= 1; k--) {
      const entry = this.tables[k].get(keys[k]);
      if (!entry) continue; // unseen context: this order equals the one below
      const d = this.discount[k];
      const inv = scale / entry.total;
      for (let j = 0; j < entry.ids.length; j++) {
        const c = entry.counts[j];
        const add = (c - pick(d, c)) * inv;
        if (add <= 0) continue;
        const id = entry.ids[j];
        if (!this.mark[id]) {
          this.mark[id] = 1;
          this.touched[this.nTouched++] = id;
        }
        this.acc[id] += add;
      }
      scale *= backoffWeight(entry, d);
    }
    return scale;
  }

  /** p(id) for the loaded context. */
  prob(id: number, g: number): number {
    return this.acc[id] + g * this.p1[id];
  }

  /** 1 + how many ids are strictly more probable than `x` under the loaded context. */
  rank(x: number, g: number): number {
    const px = this.prob(x, g);
    // Dense part: ids whose g·p1 exceeds px. For an untouched x compare in p1 space exactly, so
    // words tied with x (for example all unseen words) do not count.
    const threshold = this.mark[x] ? px / g : this.p1[x];
    let count = countAbove(this.sortedP1, threshold);
    for (let t = 0; t < this.nTouched; t++) {
      const w = this.touched[t];
      if (this.p1[w] > threshold) count--;
      if (w !== x && this.acc[w] + g * this.p1[w] > px) count++;
    }
    return count + 1;
  }

  /** Entropy in nats of the loaded distribution. */
  entropy(g: number): number {
    let s = g * this.sumP1LogP1 + g * Math.log(g); // as if nothing were touched
    for (let t = 0; t < this.nTouched; t++) {
      const w = this.touched[t];
      const dense = g * this.p1[w];
      const p = this.acc[w] + dense;
      if (dense > 0) s -= dense * Math.log(dense);
      if (p > 0) s += p * Math.log(p);
    }
    return -s;
  }

  /**
   * The k most probable emittable ids (never `<s>` or `<unk>`) under the loaded context, written
   * to `ids`/`logProbs` from `offset`, most probable first (ties by id).
   */
  topK(k: number, g: number, ids: Int32Array, logProbs: Float32Array, offset: number): void {
    const bestIds = new Int32Array(k).fill(-1);
    const bestP = new Float64Array(k).fill(-1);
    const offer = (id: number, p: number) => {
      if (p < bestP[k - 1] || (p === bestP[k - 1] && id > bestIds[k - 1] && bestIds[k - 1] >= 0)) return;
      let j = k - 1;
      while (j > 0 && (bestP[j - 1] < p || (bestP[j - 1] === p && bestIds[j - 1] > id))) {
        bestP[j] = bestP[j - 1];
        bestIds[j] = bestIds[j - 1];
        j--;
      }
      bestP[j] = p;
      bestIds[j] = id;
    };
    for (let t = 0; t < this.nTouched; t++) {
      const w = this.touched[t];
      if (w !== UNK) offer(w, this.acc[w] + g * this.p1[w]);
    }
    let taken = 0;
    for (let r = 0; r < this.sortedIds.length && taken < k; r++) {
      const w = this.sortedIds[r];
      if (this.mark[w] || w === UNK || w === BOS) continue;
      offer(w, g * this.p1[w]);
      taken++;
    }
    for (let j = 0; j < k; j++) {
      ids[offset + j] = bestIds[j];
      logProbs[offset + j] = bestP[j] > 0 ? Math.log(bestP[j]) : -Infinity;
    }
  }

  /** A self-contained copy of the loaded distribution, for sampling after the scratch is reused. */
  snapshot(g: number): SparseDistributionData {
    const ids = this.touched.slice(0, this.nTouched).sort();
    return { g, ids, extra: Float64Array.from(ids, (id) => this.acc[id]) };
  }

  /** Draw an id from p1 restricted to the dense part, by inverse CDF. */
  sampleUnigram(u: number): number {
    let lo = 0;
    let hi = this.cumP1.length - 1;
    const target = u * this.cumP1[hi];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumP1[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** s(w) of one context, detached from the model's scratch space. */
export interface SparseDistributionData {
  g: number;
  /** Touched ids ascending, and their sparse mass. */
  ids: Int32Array;
  extra: Float64Array;
}

function pick(d: Discounts, count: number): number {
  return count === 1 ? d[0] : count === 2 ? d[1] : d[2];
}

/** The mass the discounts free in one context, handed to the lower order. */
function backoffWeight(e: ContextEntry, d: Discounts): number {
  return (d[0] * e.n1 + d[1] * e.n2 + d[2] * e.n3) / e.total;
}

/** Number of leading entries of a descending array strictly greater than `x`. */
function countAbove(desc: Float64Array, x: number): number {
  let lo = 0;
  let hi = desc.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (desc[mid] > x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
