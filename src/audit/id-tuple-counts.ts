/**
 * Counts keyed by tuples of n word ids, in typed arrays: the audit's n-gram tables without a
 * string per n-gram. Entries are kept in first-seen order (entry e's ids at ids[e*n .. e*n+n),
 * its count at counts[e]), which is the order the statistics files are written in; an open-
 * addressing index (linear probing, load at most 1/2) finds an entry from its ids. Exact: the
 * ids themselves are stored and compared, so there are no collisions to bound.
 */
export class IdTupleCounts {
  readonly n: number;
  /** Number of entries. */
  size = 0;
  ids: Int32Array;
  counts: Float64Array;
  /** Each entry's hash, so growing and compacting never hash the ids again. */
  private hashes: Int32Array;
  /**
   * Slot s: [2s] entry + 1 (0: empty), [2s + 1] its hash, side by side so that a probe reads one
   * cache line and a miss never reads the entry.
   */
  private slots: Int32Array;
  private mask: number;

  constructor(n: number, capacity = 1024) {
    this.n = n;
    this.ids = new Int32Array(capacity * n);
    this.counts = new Float64Array(capacity);
    this.hashes = new Int32Array(capacity);
    this.slots = new Int32Array(capacity * 4);
    this.mask = capacity * 2 - 1;
  }

  /** The entry of the tuple key[at .. at+n), or -1. */
  find(key: ArrayLike<number>, at: number): number {
    const h = this.hash(key, at);
    const slots = this.slots;
    for (let s = h & this.mask; ; s = (s + 1) & this.mask) {
      const e = slots[2 * s] - 1;
      if (e < 0) return -1;
      if (slots[2 * s + 1] === h && this.same(e, key, at)) return e;
    }
  }

  /** Add `count` to the tuple key[at .. at+n), appended as a new entry when first seen. */
  add(key: ArrayLike<number>, at: number, count: number): void {
    const h = this.hash(key, at);
    let slots = this.slots;
    let s = h & this.mask;
    for (; ; s = (s + 1) & this.mask) {
      const e = slots[2 * s] - 1;
      if (e < 0) break;
      if (slots[2 * s + 1] === h && this.same(e, key, at)) {
        this.counts[e] += count;
        return;
      }
    }
    if (this.size === this.counts.length) {
      this.reserve(this.size * 2);
      slots = this.slots;
      for (s = h & this.mask; slots[2 * s] !== 0; s = (s + 1) & this.mask);
    }
    const e = this.size++;
    const n = this.n;
    for (let j = 0; j < n; j++) this.ids[e * n + j] = key[at + j];
    this.counts[e] = count;
    this.hashes[e] = h;
    slots[2 * s] = e + 1;
    slots[2 * s + 1] = h;
  }

  /**
   * Drop the entries whose count is at most `floor`, keeping the others in their order (as a
   * Map keeps its keys when some are deleted); returns the dropped mass.
   */
  dropAtMost(floor: number): number {
    const n = this.n;
    let dropped = 0;
    let kept = 0;
    for (let e = 0; e < this.size; e++) {
      const c = this.counts[e];
      if (c <= floor) {
        dropped += c;
        continue;
      }
      if (kept !== e) {
        this.ids.copyWithin(kept * n, e * n, e * n + n);
        this.counts[kept] = c;
        this.hashes[kept] = this.hashes[e];
      }
      kept++;
    }
    this.size = kept;
    this.reindex();
    return dropped;
  }

  /** Make room for `capacity` entries (a table read from a file knows its size). */
  reserve(capacity: number): void {
    if (capacity <= this.counts.length) return;
    let c = this.counts.length;
    while (c < capacity) c *= 2;
    capacity = c;
    const ids = new Int32Array(capacity * this.n);
    ids.set(this.ids);
    this.ids = ids;
    const counts = new Float64Array(capacity);
    counts.set(this.counts);
    this.counts = counts;
    const hashes = new Int32Array(capacity);
    hashes.set(this.hashes);
    this.hashes = hashes;
    this.slots = new Int32Array(capacity * 4);
    this.mask = capacity * 2 - 1;
    this.reindex();
  }

  private reindex(): void {
    const slots = this.slots;
    slots.fill(0);
    for (let e = 0; e < this.size; e++) {
      const h = this.hashes[e];
      let s = h & this.mask;
      while (slots[2 * s] !== 0) s = (s + 1) & this.mask;
      slots[2 * s] = e + 1;
      slots[2 * s + 1] = h;
    }
  }

  private same(e: number, key: ArrayLike<number>, at: number): boolean {
    const n = this.n;
    for (let j = 0; j < n; j++) if (this.ids[e * n + j] !== key[at + j]) return false;
    return true;
  }

  private hash(key: ArrayLike<number>, at: number): number {
    // Multiplicative mixing of each id, then MurmurHash3's finalizer: linear probing uses the low
    // bits, which a multiply alone leaves depending on the ids' low bits only.
    let h = 0x632be5ab;
    for (let j = 0; j < this.n; j++) h = Math.imul(h ^ key[at + j], 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return h ^ (h >>> 16);
  }
}
