import type { Rng } from '../../random.js';
import { MaxHeap } from '../max-heap.js';
import { isPureSampling } from '../sampling.js';
import type { SamplingOptions } from '../types.js';
import type { BackoffTables } from './backoff.js';
import { fastDraw, upperBound } from './pure-draw.js';
import { SamplingTables, exactTable } from './sampling-tables.js';
import { UNK } from './vocabulary.js';

/**
 * Drawing the next token from the model. The distribution after a context is loaded as
 * s(w) + g · p1(w) (`accumulate`: s sparse over the followers, p1 dense and precomputed), and
 * every draw works on that form, so it never materialises V entries. Holds the one cache that
 * depends on the sampling options (p1 tempered by the last temperature).
 */
export class Sampler {
  private temperedCache: { invT: number; sum: number; cum: Float64Array } | null = null;
  private readonly nodes: Int32Array;
  private readonly tables: SamplingTables;

  constructor(private readonly kn: BackoffTables) {
    this.nodes = new Int32Array(kn.order);
    this.tables = new SamplingTables(kn);
  }

  /**
   * Draw the next token after the first `end` ids of `history`. Pure sampling picks the sparse or the dense part by
   * mass, then a token within it. Tokens `emittable` rejects (`<unk>`) are drawn again.
   */
  sample(history: ArrayLike<number>, rng: Rng, options: SamplingOptions, emittable: (id: number) => boolean, end = history.length): number {
    const kn = this.kn;
    const nodes = kn.contextNodes(history, end, this.nodes);
    if (options.temperature > 0 && isPureSampling(options)) return this.samplePure(nodes, rng, emittable);
    const g = kn.accumulate(nodes);
    if (!(options.temperature > 0)) return this.greedy(g, emittable);
    return this.sampleShaped(g, rng, options, emittable);
  }

  /**
   * Pure sampling: the sparse part s or the dense part g·p1 by mass, then a token within it. The
   * context's tables settle almost every draw by binary searches (pure-draw.ts); the few they
   * cannot (r within rounding of a boundary) take the sequential walk, which defines the draw.
   */
  private samplePure(nodes: Int32Array, rng: Rng, emittable: (id: number) => boolean): number {
    const table = this.tables.get(nodes);
    for (;;) {
      const r = rng.next();
      let id = fastDraw(table, r, this.tables.groupPrefix, this.kn.cumP1);
      if (id < 0) id = this.walkDraw(nodes, r);
      if (emittable(id)) return id;
    }
  }

  /**
   * The draw by definition: u = r · (S + g) with S summed exactly, then the touched ids' weights
   * subtracted in touched order (the longest context's followers first) until u goes below 0,
   * else the dense part by binary search in p1.
   */
  private walkDraw(nodes: Int32Array, r: number): number {
    const { ids, weights, sparseMass, g } = exactTable(this.kn, nodes);
    let u = r * (sparseMass + g);
    if (!(u < sparseMass)) return this.sampleUnigram((u - sparseMass) / g);
    for (let t = 0; t < ids.length; t++) if ((u -= weights[t]) < 0) return ids[t];
    // Past the context's own followers: on over the lower levels' ones, as `exactTable` loaded them.
    const { acc, touched, nTouched } = this.kn;
    for (let t = ids.length; t < nTouched; t++) if ((u -= acc[touched[t]]) < 0) return touched[t];
    return touched[nTouched - 1];
  }

  /**
   * Temperature, top-k and top-p over the loaded distribution without touching all V entries:
   * temperature keeps the order, so the kept tokens are a prefix of the descending order, which
   * comes from a heap over the touched ids merged with the precomputed p1 order.
   */
  private sampleShaped(g: number, rng: Rng, options: SamplingOptions, emittable: (id: number) => boolean): number {
    const { acc, touched: touchedAll, mark, p1, sortedIds, nTouched } = this.kn;
    const invT = 1 / options.temperature;
    const { sum: denseSum } = this.tempered(invT);
    // Normaliser over emittable ids: touched ones exactly, untouched ones as g^(1/T) · p1^(1/T).
    let z = Math.pow(g, invT) * denseSum;
    for (let t = 0; t < nTouched; t++) {
      const w = touchedAll[t];
      z -= Math.pow(g * p1[w], invT);
      if (emittable(w)) z += Math.pow(acc[w] + g * p1[w], invT);
    }
    for (const w of [UNK]) if (!mark[w]) z -= Math.pow(g * p1[w], invT);
    const limit = options.topK > 0 ? options.topK : Infinity;
    if (limit === Infinity && options.topP >= 1) {
      // Temperature only: draw touched by walking, dense by rejection from p1^(1/T).
      for (;;) {
        let u = rng.next() * z;
        for (let t = 0; t < nTouched; t++) {
          const w = touchedAll[t];
          if (emittable(w) && (u -= Math.pow(acc[w] + g * p1[w], invT)) < 0) return w;
        }
        const id = this.sampleTempered(invT, rng.next());
        if (!mark[id] && emittable(id)) return id;
      }
    }
    const ids: number[] = [];
    const weights: number[] = [];
    let cum = 0;
    const touched = touchedAll.slice(0, nTouched);
    const heap = new MaxHeap(touched, Float64Array.from(touched, (w) => acc[w] + g * p1[w]), touched.length);
    let r = 0;
    while (ids.length < limit && cum < options.topP * z) {
      while (r < sortedIds.length && (mark[sortedIds[r]] || !emittable(sortedIds[r]))) r++;
      const dense = r < sortedIds.length ? g * p1[sortedIds[r]] : -1;
      let top = heap.peek();
      while (top >= 0 && !emittable(top)) {
        heap.pop();
        top = heap.peek();
      }
      const touchedP = top >= 0 ? acc[top] + g * p1[top] : -1;
      if (touchedP < 0 && dense < 0) break;
      const id = touchedP >= dense ? heap.pop()[0] : sortedIds[r++];
      const w = Math.pow(touchedP >= dense ? touchedP : dense, invT);
      ids.push(id);
      weights.push(w);
      cum += w;
    }
    let u = rng.next() * cum;
    for (let j = 0; j < ids.length; j++) if ((u -= weights[j]) < 0) return ids[j];
    return ids[ids.length - 1];
  }

  /** Temperature 0: the most probable emittable id, ties by smaller id. */
  private greedy(g: number, emittable: (id: number) => boolean): number {
    const { acc, touched, mark, p1, sortedIds, nTouched } = this.kn;
    let best = -1;
    let bestP = -1;
    for (let t = 0; t < nTouched; t++) {
      const w = touched[t];
      const p = acc[w] + g * p1[w];
      if (emittable(w) && (p > bestP || (p === bestP && w < best))) [best, bestP] = [w, p];
    }
    for (const w of sortedIds) {
      if (mark[w] || !emittable(w)) continue;
      if (g * p1[w] > bestP) best = w;
      break;
    }
    return best;
  }

  /** Σ p1^(1/T) over all ids and its cumulative array, per temperature (cached: one per run). */
  private tempered(invT: number): { sum: number; cum: Float64Array } {
    if (this.temperedCache?.invT !== invT) {
      const p1 = this.kn.p1;
      const cum = new Float64Array(p1.length);
      let sum = 0;
      for (let i = 0; i < cum.length; i++) cum[i] = sum += p1[i] > 0 ? Math.pow(p1[i], invT) : 0;
      this.temperedCache = { invT, sum, cum };
    }
    return this.temperedCache;
  }

  private sampleTempered(invT: number, u: number): number {
    const { cum, sum } = this.tempered(invT);
    return upperBound(cum, u * sum);
  }

  /** Draw an id from p1 by inverse CDF; u in [0, 1). */
  private sampleUnigram(u: number): number {
    const cumP1 = this.kn.cumP1;
    return upperBound(cumP1, u * cumP1[cumP1.length - 1]);
  }
}
