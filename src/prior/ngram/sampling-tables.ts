import type { BackoffTables } from './backoff.js';

/**
 * What pure sampling after one context needs, precomputed: the context's own followers in the
 * order `accumulate` touches them (they come first) with their summed weights s(w), the sparse
 * mass Σ s over every touched id, and the weight g of the dense part. A draw then walks these
 * few followers instead of re-summing every level's followers (thousands after a common word):
 * the same subtractions in the same order, so the same token for the same random number. Only
 * a draw that falls past them (into the lower levels' followers) accumulates the context again.
 */
export interface SamplingTable {
  ids: Int32Array;
  weights: Float64Array;
  sparseMass: number;
  g: number;
}

/** Table entries kept before the cache is emptied (bounded by the model's n-grams in practice). */
const TABLE_ENTRIES = 4_000_000;

/** Sampling tables by the longest seen context (a group of one level), built on first use. */
export class SamplingTables {
  private byLevel: (SamplingTable | undefined)[][] = [];
  private entries = 0;

  constructor(private readonly kn: BackoffTables) {
    this.clear();
  }

  private clear(): void {
    this.byLevel = this.kn.levels.map((l) => new Array<SamplingTable | undefined>(Math.max(1, l.groups)));
    this.entries = 0;
  }

  get(nodes: Int32Array): SamplingTable {
    const kn = this.kn;
    let level = 0;
    let node = 0;
    for (let k = kn.order - 1; k >= 1; k--) {
      if (nodes[k] >= 0) {
        level = k;
        node = nodes[k];
        break;
      }
    }
    let table = this.byLevel[level][node];
    if (table) return table;
    const g = kn.accumulate(nodes);
    const { acc, touched, nTouched, nFirst } = kn;
    let sparseMass = 0;
    for (let t = 0; t < nTouched; t++) sparseMass += acc[touched[t]];
    const ids = touched.slice(0, nFirst);
    table = { ids, weights: Float64Array.from(ids, (id) => acc[id]), sparseMass, g };
    if (this.entries >= TABLE_ENTRIES) this.clear();
    this.byLevel[level][node] = table;
    this.entries += ids.length + 1;
    return table;
  }
}
