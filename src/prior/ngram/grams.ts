/**
 * Distinct n-grams of one order as columns of ids (`cols[j][i]` is word j of n-gram i) with their
 * counts. Typed arrays rather than maps keyed by strings: a 3-gram model's 800,000 n-grams load,
 * sort and derive their lower orders in tens of milliseconds instead of seconds, which every
 * process opening the prior pays (each worker of a sharded run among them).
 */
export interface GramColumns {
  cols: Int32Array[];
  counts: Int32Array;
}

/**
 * The same n-grams in ascending id order (first word most significant): n-grams sharing a
 * context are then contiguous, followers ascending. Stable counting sorts, last column first.
 */
export function sortGrams(g: GramColumns): GramColumns {
  const order = orderBy(g.cols, g.counts.length);
  return { cols: g.cols.map((c) => permute(c, order)), counts: permute(g.counts, order) };
}

/**
 * The (n-1)-grams that are suffixes of the n-grams `g`, each counted once per distinct n-gram
 * that extends it on the left: Kneser-Ney's continuation counts N1+(• w). Ascending id order.
 */
export function continuationCounts(g: GramColumns): GramColumns {
  const suffix = g.cols.slice(1);
  const n = g.counts.length;
  const order = orderBy(suffix, n);
  const cols = suffix.map(() => new Int32Array(n));
  const counts = new Int32Array(n);
  let m = -1;
  for (let r = 0; r < n; r++) {
    const i = order[r];
    if (m < 0 || !suffix.every((c, j) => c[i] === cols[j][m])) {
      m++;
      suffix.forEach((c, j) => (cols[j][m] = c[i]));
    }
    counts[m]++;
  }
  return { cols: cols.map((c) => c.slice(0, m + 1)), counts: counts.slice(0, m + 1) };
}

/** Indices of the rows in ascending order of the given columns (the first most significant). */
function orderBy(cols: Int32Array[], n: number): Uint32Array {
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let next = new Uint32Array(n);
  for (let j = cols.length - 1; j >= 0; j--) {
    const col = cols[j];
    let max = 0;
    for (let i = 0; i < n; i++) if (col[i] > max) max = col[i];
    const start = new Uint32Array(max + 2);
    for (let i = 0; i < n; i++) start[col[i] + 1]++;
    for (let v = 0; v <= max; v++) start[v + 1] += start[v];
    for (let r = 0; r < n; r++) {
      const i = order[r];
      next[start[col[i]]++] = i;
    }
    [order, next] = [next, order];
  }
  return order;
}

function permute(values: Int32Array, order: Uint32Array): Int32Array {
  const out = new Int32Array(order.length);
  for (let r = 0; r < order.length; r++) out[r] = values[order[r]];
  return out;
}
