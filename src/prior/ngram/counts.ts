import { type GramColumns, continuationCounts, sortGrams } from './grams.js';
import { BOS } from './vocabulary.js';

/**
 * Raw n-gram counts of the highest order, the only statistics a Kneser-Ney model needs to be
 * rebuilt (every lower-order continuation count is derived from them). Keys are the ids of the
 * n-gram joined by commas; each document is padded on the left with order - 1 `<s>` symbols.
 */
export class NGramCounts {
  readonly order: number;
  readonly counts = new Map<string, number>();
  tokens = 0;

  constructor(order: number) {
    this.order = order;
  }

  add(ids: ArrayLike<number>): void {
    const n = this.order;
    const padded = new Array<number>(n - 1).fill(BOS);
    for (let i = 0; i < ids.length; i++) padded.push(ids[i]);
    for (let i = n - 1; i < padded.length; i++) {
      const key = padded.slice(i - n + 1, i + 1).join(',');
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }
    this.tokens += ids.length;
  }

  /** The counted n-grams as sorted columns, what the model and its file are built from. */
  grams(): GramColumns {
    const n = this.counts.size;
    const cols = Array.from({ length: this.order }, () => new Int32Array(n));
    const counts = new Int32Array(n);
    let i = 0;
    for (const [key, c] of this.counts) {
      key.split(',').forEach((id, j) => (cols[j][i] = Number(id)));
      counts[i++] = c;
    }
    return sortGrams({ cols, counts });
  }
}

/** Followers of one context, with the counts the discounting needs. */
export interface ContextEntry {
  /** Follower ids, ascending, for binary search. */
  ids: Int32Array;
  counts: Int32Array;
  total: number;
  /** Number of followers seen exactly once, twice, three or more times. */
  n1: number;
  n2: number;
  n3: number;
}

/**
 * Per order (index 0 = unigrams), context key → followers. The top order holds raw counts;
 * lower orders hold continuation counts N1+(• context w): how many distinct words precede the
 * n-gram (interpolated Kneser-Ney, Chen & Goodman 1998). `top` is in ascending id order.
 */
export function contextTables(top: GramColumns): Map<string, ContextEntry>[] {
  const levels: GramColumns[] = [top];
  while (levels[0].cols.length > 1) levels.unshift(continuationCounts(levels[0]));
  return levels.map(groupByContext);
}

/** Sorted n-grams → context key (its ids comma-joined, as the model looks them up) → followers. */
function groupByContext(g: GramColumns): Map<string, ContextEntry> {
  const context = g.cols.slice(0, -1);
  const words = g.cols[g.cols.length - 1];
  const n = g.counts.length;
  const table = new Map<string, ContextEntry>();
  for (let start = 0, end = 1; start < n; start = end++) {
    while (end < n && context.every((c) => c[end] === c[start])) end++;
    // Views into the level's arrays: one allocation per level, not two per context.
    const entry: ContextEntry = { ids: words.subarray(start, end), counts: g.counts.subarray(start, end), total: 0, n1: 0, n2: 0, n3: 0 };
    for (const c of entry.counts) {
      entry.total += c;
      if (c === 1) entry.n1++;
      else if (c === 2) entry.n2++;
      else entry.n3++;
    }
    table.set(context.map((c) => c[start]).join(','), entry);
  }
  return table;
}

/** Modified Kneser-Ney discounts D1, D2, D3+ from the count-of-counts of one order. */
export function discounts(table: Map<string, ContextEntry>): [number, number, number] {
  const cc = [0, 0, 0, 0, 0];
  for (const e of table.values()) for (const c of e.counts) if (c <= 4) cc[c]++;
  const [, n1, n2, n3, n4] = cc;
  if (n1 === 0 || n2 === 0 || n3 === 0 || n4 === 0) return [0.5, 1, 1.5]; // too little data to estimate
  const y = n1 / (n1 + 2 * n2);
  const clamp = (d: number, max: number) => Math.min(max, Math.max(0, d));
  return [clamp(1 - (2 * y * n2) / n1, 1), clamp(2 - (3 * y * n3) / n2, 2), clamp(3 - (4 * y * n4) / n3, 3)];
}
