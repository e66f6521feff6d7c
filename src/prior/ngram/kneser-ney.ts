import type { Rng } from '../../random.js';
import { MaxHeap } from '../max-heap.js';
import { isPureSampling } from '../sampling.js';
import type { SamplingOptions } from '../types.js';
import { type ContextEntry, contextTables, discounts } from './counts.js';
import type { GramColumns } from './grams.js';
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
  /** Σ p1 (log p1)²: with sumP1LogP1, the moments of log p under the dense part. */
  private readonly sumP1LogP1Sq: number;

  // Scratch accumulator for s(w): dense values, list of touched ids, membership marks.
  private readonly acc: Float64Array;
  private readonly touched: Int32Array;
  private readonly mark: Uint8Array;
  private nTouched = 0;

  /** `top`: the distinct n-grams of the highest order and their counts, in ascending id order. */
  constructor(top: GramColumns, trainingTokens: number, vocab: Vocabulary) {
    this.order = top.cols.length;
    this.vocab = vocab;
    this.trainingTokens = trainingTokens;
    this.tables = contextTables(top);
    this.discount = this.tables.map(discounts);
    const v = vocab.size;
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
   * The context keys before position `end` of `history` (left-padded with `<s>`): keys[k] holds
   * the last k ids, comma-joined; keys[0] is the empty context.
   */
  private contextKeys(history: ArrayLike<number>, end: number): string[] {
    const keys: string[] = [''];
    let key = '';
    for (let k = 1; k < this.order; k++) {
      const pos = end - k;
      const id = pos >= 0 ? history[pos] : BOS;
      key = k === 1 ? String(id) : `${id},${key}`;
      keys.push(key);
    }
    return keys;
  }

  /**
   * Load the sparse mass of levels 1..top for the context `keys` into the scratch space (flat
   * sums, for sampling and for collecting touched ids), and return the product of their back-off
   * weights. Valid until the next call.
   */
  private accumulate(keys: string[], top = this.order - 1): number {
    for (let t = 0; t < this.nTouched; t++) {
      const id = this.touched[t];
      this.acc[id] = 0;
      this.mark[id] = 0;
    }
    this.nTouched = 0;
    let scale = 1;
    for (let k = top; k >= 1; k--) {
      const entry = this.tables[k].get(keys[k]);
      if (!entry) continue; // unseen context: this level equals the one below
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

  /**
   * p(x | context before `end`) by the nested recursion p_k = a_k + γ_k · p_{k-1}, p_0 = p1:
   * O(order · log followers). Scoring uses the same recursion, so values agree to the last bit.
   */
  probOf(history: ArrayLike<number>, end: number, x: number): number {
    const keys = this.contextKeys(history, end);
    let p = this.p1[x];
    for (let k = 1; k < this.order; k++) {
      const entry = this.tables[k].get(keys[k]);
      if (entry) p = discounted(entry, this.discount[k], x) + backoffWeight(entry, this.discount[k]) * p;
    }
    return p;
  }

  /**
   * The distribution one level below the top (p_{order-2}) after a context, with what scoring
   * needs from it. It depends only on the last order-2 words, so there are few distinct ones and
   * they recur constantly: cached by the longest seen suffix of that context.
   */
  private lower(keys: string[]): LowerStats {
    const top = this.order - 2;
    let key = '';
    for (let k = top; k >= 1; k--) {
      if (this.tables[k].has(keys[k])) {
        key = keys[k];
        break;
      }
    }
    let stats = this.lowerCache.get(key);
    if (stats) return stats;
    const entries: (ContextEntry | undefined)[] = [];
    for (let k = 1; k <= top; k++) entries.push(this.tables[k].get(keys[k]));
    const gammas = entries.flatMap((e, i) => (e ? [backoffWeight(e, this.discount[i + 1])] : []));
    this.accumulate(keys, Math.max(0, top));
    const ids = this.touched.slice(0, this.nTouched).sort();
    const vals = Float64Array.from(ids, (w) => {
      let p = this.p1[w];
      entries.forEach((e, i) => {
        if (e) p = discounted(e, this.discount[i + 1], w) + backoffWeight(e, this.discount[i + 1]) * p;
      });
      return p;
    });
    const g = gammas.reduce((a, b) => a * b, 1);
    const byValue = Array.from(ids.keys()).sort((a, b) => vals[b] - vals[a] || ids[a] - ids[b]);
    stats = {
      ids,
      vals,
      gammas,
      g,
      descIds: Int32Array.from(byValue, (j) => ids[j]),
      descVals: Float64Array.from(byValue, (j) => vals[j]),
      descP1: Float64Array.from(ids, (w) => this.p1[w]).sort().reverse(),
      entropy: 0,
      secondMoment: 0,
      head: new Int32Array(0),
      headVals: new Float64Array(0),
    };
    stats.entropy = this.lowerEntropy(stats);
    stats.secondMoment = this.lowerSecondMoment(stats);
    [stats.head, stats.headVals] = this.lowerHead(stats, HEAD);
    if (this.lowerCache.size >= LOWER_CACHE) this.lowerCache.clear();
    this.lowerCache.set(key, stats);
    return stats;
  }

  private readonly lowerCache = new Map<string, LowerStats>();

  /** q(w) of a lower distribution, by the same nested recursion as `probOf`. */
  private q(L: LowerStats, w: number): number {
    const j = findId(L.ids, w);
    if (j >= 0) return L.vals[j];
    let p = this.p1[w];
    for (const g of L.gammas) p = g * p;
    return p;
  }

  /** Number of ids with q(w) > t; untouched ids compare in p1 space against `tP1`. */
  private countQAbove(L: LowerStats, t: number, tP1: number): number {
    return countAbove(L.descVals, t) + countAbove(this.sortedP1, tP1) - countAbove(L.descP1, tP1);
  }

  private lowerEntropy(L: LowerStats): number {
    // Untouched ids hold g·p1 (up to rounding); correct for the touched ones.
    const { g } = L;
    let s = g * this.sumP1LogP1 + g * Math.log(g);
    L.ids.forEach((w, j) => {
      const dense = g * this.p1[w];
      if (dense > 0) s -= dense * Math.log(dense);
      if (L.vals[j] > 0) s += L.vals[j] * Math.log(L.vals[j]);
    });
    return -s;
  }

  /** Σ q (log q)² of a lower distribution, corrected for the touched ids as lowerEntropy is. */
  private lowerSecondMoment(L: LowerStats): number {
    const { g } = L;
    const lg = Math.log(g);
    // Untouched: Σ g·p1 (log g + log p1)², expanded with Σ p1 = 1.
    let m = g * (lg * lg + 2 * lg * this.sumP1LogP1 + this.sumP1LogP1Sq);
    L.ids.forEach((w, j) => {
      const dense = g * this.p1[w];
      if (dense > 0) m -= dense * Math.log(dense) ** 2;
      if (L.vals[j] > 0) m += L.vals[j] * Math.log(L.vals[j]) ** 2;
    });
    return m;
  }

  /**
   * Visit the emittable ids of a lower distribution in descending q (ties by id), merging the
   * touched ids with the dense p1 order, until `visit` returns false.
   */
  private walkQ(L: LowerStats, visit: (id: number, q: number) => boolean): void {
    let a = 0;
    let b = 0;
    const n = L.descIds.length;
    while (a < n || b < this.sortedIds.length) {
      let dense = b < this.sortedIds.length ? this.sortedIds[b] : -1;
      while (dense >= 0 && findId(L.ids, dense) >= 0) dense = ++b < this.sortedIds.length ? this.sortedIds[b] : -1;
      const dv = dense >= 0 ? this.q(L, dense) : -1;
      const tv = a < n ? L.descVals[a] : -1;
      if (tv < 0 && dv < 0) return;
      const takeTouched = tv > dv || (tv === dv && L.descIds[a] < dense);
      const id = takeTouched ? L.descIds[a++] : this.sortedIds[b++];
      if (id !== UNK && id !== BOS && !visit(id, takeTouched ? tv : dv)) return;
    }
  }

  /** The first `m` emittable ids of a lower distribution in descending q. */
  private lowerHead(L: LowerStats, m: number): [Int32Array, Float64Array] {
    const ids: number[] = [];
    const vals: number[] = [];
    this.walkQ(L, (id, q) => {
      ids.push(id);
      vals.push(q);
      return ids.length < m;
    });
    return [Int32Array.from(ids), Float64Array.from(vals)];
  }

  /**
   * Score token `history[i]`: write its log-probability, rank, the entropy of the distribution
   * (and the variance of log p when `out` has room for it) and its k most probable emittable
   * tokens. The top level's followers (usually few) are combined with the cached lower
   * distribution: p(w) = a(w) + γ · q(w).
   */
  scorePosition(
    history: ArrayLike<number>,
    i: number,
    k: number,
    out: { logProb: Float32Array; rank: Int32Array; entropy: Float32Array; logProbVariance?: Float32Array; topIds: Int32Array; topLogProbs: Float32Array },
  ): void {
    const keys = this.contextKeys(history, i);
    const L = this.lower(keys);
    const entry = this.order > 1 ? this.tables[this.order - 1].get(keys[this.order - 1]) : undefined;
    const d = this.discount[this.order - 1];
    const gamma = entry ? backoffWeight(entry, d) : 1;
    const x = history[i];
    const qx = this.q(L, x);
    const ax = entry ? discounted(entry, d, x) : 0;
    const px = ax + gamma * qx;

    // Rank: ids outside the top level's followers have p = γ·q, so count them in q space.
    let count: number;
    if (ax > 0) {
      const t = px / gamma;
      count = this.countQAbove(L, t, t / L.g);
    } else {
      count = this.countQAbove(L, qx, findId(L.ids, x) >= 0 ? qx / L.g : this.p1[x]);
    }
    const tq = ax > 0 ? px / gamma : qx;
    let s = gamma * -L.entropy + (gamma > 0 ? gamma * Math.log(gamma) : 0);
    // Σ p (log p)² the same way: dense part γ·q expanded, followers corrected one by one.
    const moments = out.logProbVariance !== undefined;
    const lg = gamma > 0 ? Math.log(gamma) : 0;
    let m = moments && gamma > 0 ? gamma * (lg * lg - 2 * lg * L.entropy + L.secondMoment) : 0;
    const top = this.top.reset(k);
    if (entry) {
      for (let j = 0; j < entry.ids.length; j++) {
        const c = entry.counts[j];
        const a = Math.max(0, (c - pick(d, c)) / entry.total); // as `discounted`, without the search
        if (a <= 0) continue;
        const w = entry.ids[j];
        const qw = this.q(L, w);
        const pw = a + gamma * qw;
        if (qw > tq) count--;
        if (w !== x && pw > px) count++;
        const dense = gamma * qw;
        if (dense > 0) s -= dense * Math.log(dense);
        s += pw * Math.log(pw);
        if (moments) {
          if (dense > 0) m -= dense * Math.log(dense) ** 2;
          m += pw * Math.log(pw) ** 2;
        }
        if (w !== UNK) top.offer(w, pw);
      }
    }
    out.logProb[i] = Math.log(px);
    out.rank[i] = count + 1;
    out.entropy[i] = -s;
    if (moments) out.logProbVariance![i] = Math.max(0, m - s * s);
    if (k > 0) {
      this.offerLower(L, entry, gamma, k);
      top.write(out.topIds, out.topLogProbs, i * k);
    }
  }

  private readonly top = new TopK();

  /**
   * Draw the next token after `history`. Pure sampling never materialises V entries: it picks
   * the sparse or the dense part by mass, then a token within it. Tokens `emittable` rejects
   * (`<unk>`) are drawn again.
   */
  sample(history: ArrayLike<number>, rng: Rng, options: SamplingOptions, emittable: (id: number) => boolean): number {
    const g = this.accumulate(this.contextKeys(history, history.length));
    if (!(options.temperature > 0)) return this.greedy(g, emittable);
    if (!isPureSampling(options)) return this.sampleShaped(g, rng, options, emittable);
    let sparseMass = 0;
    for (let t = 0; t < this.nTouched; t++) sparseMass += this.acc[this.touched[t]];
    for (;;) {
      let u = rng.next() * (sparseMass + g);
      let id = -1;
      if (u < sparseMass) {
        for (let t = 0; t < this.nTouched && id < 0; t++) if ((u -= this.acc[this.touched[t]]) < 0) id = this.touched[t];
        if (id < 0) id = this.touched[this.nTouched - 1];
      } else {
        id = this.sampleUnigram((u - sparseMass) / g);
      }
      if (emittable(id)) return id;
    }
  }

  /**
   * Temperature, top-k and top-p over the loaded distribution without touching all V entries:
   * temperature keeps the order, so the kept tokens are a prefix of the descending order, which
   * comes from a heap over the touched ids merged with the precomputed p1 order.
   */
  private sampleShaped(g: number, rng: Rng, options: SamplingOptions, emittable: (id: number) => boolean): number {
    const invT = 1 / options.temperature;
    const { sum: denseSum } = this.tempered(invT);
    // Normaliser over emittable ids: touched ones exactly, untouched ones as g^(1/T) · p1^(1/T).
    let z = Math.pow(g, invT) * denseSum;
    for (let t = 0; t < this.nTouched; t++) {
      const w = this.touched[t];
      z -= Math.pow(g * this.p1[w], invT);
      if (emittable(w)) z += Math.pow(this.acc[w] + g * this.p1[w], invT);
    }
    for (const w of [UNK]) if (!this.mark[w]) z -= Math.pow(g * this.p1[w], invT);
    const limit = options.topK > 0 ? options.topK : Infinity;
    if (limit === Infinity && options.topP >= 1) {
      // Temperature only: draw touched by walking, dense by rejection from p1^(1/T).
      for (;;) {
        let u = rng.next() * z;
        for (let t = 0; t < this.nTouched; t++) {
          const w = this.touched[t];
          if (emittable(w) && (u -= Math.pow(this.acc[w] + g * this.p1[w], invT)) < 0) return w;
        }
        const id = this.sampleTempered(invT, rng.next());
        if (!this.mark[id] && emittable(id)) return id;
      }
    }
    const ids: number[] = [];
    const weights: number[] = [];
    let cum = 0;
    const touched = this.touched.slice(0, this.nTouched);
    const heap = new MaxHeap(touched, Float64Array.from(touched, (w) => this.acc[w] + g * this.p1[w]), touched.length);
    let r = 0;
    while (ids.length < limit && cum < options.topP * z) {
      while (r < this.sortedIds.length && (this.mark[this.sortedIds[r]] || !emittable(this.sortedIds[r]))) r++;
      const dense = r < this.sortedIds.length ? g * this.p1[this.sortedIds[r]] : -1;
      let top = heap.peek();
      while (top >= 0 && !emittable(top)) {
        heap.pop();
        top = heap.peek();
      }
      const touchedP = top >= 0 ? this.acc[top] + g * this.p1[top] : -1;
      if (touchedP < 0 && dense < 0) break;
      const id = touchedP >= dense ? heap.pop()[0] : this.sortedIds[r++];
      const w = Math.pow(touchedP >= dense ? touchedP : dense, invT);
      ids.push(id);
      weights.push(w);
      cum += w;
    }
    let u = rng.next() * cum;
    for (let j = 0; j < ids.length; j++) if ((u -= weights[j]) < 0) return ids[j];
    return ids[ids.length - 1];
  }

  private greedy(g: number, emittable: (id: number) => boolean): number {
    let best = -1;
    let bestP = -1;
    for (let t = 0; t < this.nTouched; t++) {
      const w = this.touched[t];
      const p = this.acc[w] + g * this.p1[w];
      if (emittable(w) && (p > bestP || (p === bestP && w < best))) [best, bestP] = [w, p];
    }
    for (const w of this.sortedIds) {
      if (this.mark[w] || !emittable(w)) continue;
      if (g * this.p1[w] > bestP) best = w;
      break;
    }
    return best;
  }

  /** Σ p1^(1/T) over all ids and its cumulative array, per temperature (cached: one per run). */
  private tempered(invT: number): { sum: number; cum: Float64Array } {
    if (this.temperedCache?.invT !== invT) {
      const cum = new Float64Array(this.p1.length);
      let sum = 0;
      for (let i = 0; i < cum.length; i++) cum[i] = sum += this.p1[i] > 0 ? Math.pow(this.p1[i], invT) : 0;
      this.temperedCache = { invT, sum, cum };
    }
    return this.temperedCache;
  }

  private temperedCache: { invT: number; sum: number; cum: Float64Array } | null = null;

  private sampleTempered(invT: number, u: number): number {
    const { cum, sum } = this.tempered(invT);
    return upperBound(cum, u * sum);
  }

  /** Draw an id from p1 by inverse CDF; u in [0, 1). */
  private sampleUnigram(u: number): number {
    return upperBound(this.cumP1, u * this.cumP1[this.cumP1.length - 1]);
  }

  /**
   * Offer the k most probable ids outside the top level's followers: for them p = γ·q, so they
   * are the head of q. The cached head usually suffices; a context with very many followers
   * walks on past it.
   */
  private offerLower(L: LowerStats, entry: ContextEntry | undefined, gamma: number, k: number): void {
    const d = this.discount[this.order - 1];
    const inTop = (w: number) => entry !== undefined && discounted(entry, d, w) > 0;
    let added = 0;
    for (let j = 0; j < L.head.length && added < k; j++) {
      if (inTop(L.head[j])) continue;
      this.top.offer(L.head[j], gamma * L.headVals[j]);
      added++;
    }
    if (added >= k) return;
    let skip = L.head.length; // already offered, in the same order
    this.walkQ(L, (w, q) => {
      if (skip > 0) {
        skip--;
        return true;
      }
      if (inTop(w)) return true;
      this.top.offer(w, gamma * q);
      return ++added < k;
    });
  }
}

/** The k largest (id, p) pairs offered, most probable first, ties by smaller id. */
class TopK {
  private ids = new Int32Array(0);
  private ps = new Float64Array(0);
  private k = 0;

  reset(k: number): this {
    if (this.ids.length !== k) {
      this.ids = new Int32Array(k);
      this.ps = new Float64Array(k);
    }
    this.k = k;
    this.ids.fill(-1);
    this.ps.fill(-1);
    return this;
  }

  offer(id: number, p: number): void {
    const { ids, ps, k } = this;
    if (k === 0) return;
    if (p < ps[k - 1] || (p === ps[k - 1] && ids[k - 1] >= 0 && id > ids[k - 1])) return;
    let j = k - 1;
    while (j > 0 && (ps[j - 1] < p || (ps[j - 1] === p && ids[j - 1] > id))) {
      ps[j] = ps[j - 1];
      ids[j] = ids[j - 1];
      j--;
    }
    ps[j] = p;
    ids[j] = id;
  }

  write(outIds: Int32Array, outLogProbs: Float32Array, offset: number): void {
    for (let j = 0; j < this.k; j++) {
      outIds[offset + j] = this.ids[j];
      outLogProbs[offset + j] = this.ps[j] > 0 ? Math.log(this.ps[j]) : -Infinity;
    }
  }
}

/** Lower distributions kept in the cache before it is emptied. */
const LOWER_CACHE = 50_000;
/** Emittable ids of each lower distribution kept in descending order, for top-k. */
const HEAD = 48;

/** A lower-level distribution q after one context (see `lower`). */
interface LowerStats {
  /** Touched ids ascending and their q. */
  ids: Int32Array;
  vals: Float64Array;
  /** Back-off weights of the seen levels, bottom up; untouched ids have q = γ_top·(…·(γ_1·p1)). */
  gammas: number[];
  g: number;
  /** Touched ids by q descending (ties by id), their q, and touched p1 values descending. */
  descIds: Int32Array;
  descVals: Float64Array;
  descP1: Float64Array;
  entropy: number;
  /** Σ q (log q)². */
  secondMoment: number;
  head: Int32Array;
  headVals: Float64Array;
}

/** First index whose cumulative value exceeds `target` (inverse CDF). */
function upperBound(cum: Float64Array, target: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function findId(ids: Int32Array, x: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < ids.length && ids[lo] === x ? lo : -1;
}

/** a_k(x): the discounted count of x after a context, relative to the context's total. */
function discounted(e: ContextEntry, d: Discounts, x: number): number {
  const j = findId(e.ids, x);
  if (j < 0) return 0;
  const c = e.counts[j];
  return Math.max(0, (c - pick(d, c)) / e.total);
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
