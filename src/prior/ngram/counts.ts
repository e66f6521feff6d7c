import { type GramColumns, sortGrams } from './grams.js';
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
