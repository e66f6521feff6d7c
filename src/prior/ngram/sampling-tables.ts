import type { BackoffTables } from './backoff.js';
import { ContextCache } from './context-cache.js';

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

/** Sampling tables by the longest seen context (see ContextCache); the budget counts table entries. */
export class SamplingTables extends ContextCache<SamplingTable> {
  constructor(kn: BackoffTables) {
    super(kn, kn.order - 1, TABLE_ENTRIES, (nodes) => buildTable(kn, nodes), (table) => table.ids.length + 1);
  }
}

function buildTable(kn: BackoffTables, nodes: Int32Array): SamplingTable {
  const g = kn.accumulate(nodes);
  const { acc, touched, nTouched, nFirst } = kn;
  let sparseMass = 0;
  for (let t = 0; t < nTouched; t++) sparseMass += acc[touched[t]];
  const ids = touched.slice(0, nFirst);
  return { ids, weights: Float64Array.from(ids, (id) => acc[id]), sparseMass, g };
}
