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
 * n-gram (interpolated Kneser-Ney, Chen & Goodman 1998).
 */
export function contextTables(top: NGramCounts): Map<string, ContextEntry>[] {
  const n = top.order;
  const levels: Map<string, number>[] = new Array(n);
  levels[n - 1] = top.counts;
  for (let k = n - 2; k >= 0; k--) {
    // Each distinct (k+2)-gram adds one left extension to its (k+1)-gram suffix.
    const lower = new Map<string, number>();
    for (const key of levels[k + 1].keys()) {
      const suffix = key.slice(key.indexOf(',') + 1);
      lower.set(suffix, (lower.get(suffix) ?? 0) + 1);
    }
    levels[k] = lower;
  }
  return levels.map(groupByContext);
}

function groupByContext(grams: Map<string, number>): Map<string, ContextEntry> {
  const byContext = new Map<string, [number, number][]>();
  for (const [key, count] of grams) {
    const cut = key.lastIndexOf(',');
    const context = cut < 0 ? '' : key.slice(0, cut);
    const word = Number(cut < 0 ? key : key.slice(cut + 1));
    let list = byContext.get(context);
    if (!list) byContext.set(context, (list = []));
    list.push([word, count]);
  }
  const table = new Map<string, ContextEntry>();
  for (const [context, list] of byContext) {
    list.sort((a, b) => a[0] - b[0]);
    const entry: ContextEntry = { ids: new Int32Array(list.length), counts: new Int32Array(list.length), total: 0, n1: 0, n2: 0, n3: 0 };
    list.forEach(([w, c], i) => {
      entry.ids[i] = w;
      entry.counts[i] = c;
      entry.total += c;
      if (c === 1) entry.n1++;
      else if (c === 2) entry.n2++;
      else entry.n3++;
    });
    table.set(context, entry);
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
