/**
 * A map from pairs of non-negative int32 (a, b) to non-negative int32 values, fixed size, in
 * three typed arrays with open addressing (linear probing, load factor at most 1/2). Exact: the
 * pair itself is stored and compared, so there are no collisions to bound. No objects and no
 * strings, so a lookup costs a multiply, a shift and usually one probe.
 */
export class PairIndex {
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private readonly value: Int32Array;
  private readonly mask: number;
  private readonly shift: number;

  constructor(capacity: number) {
    let bits = 4;
    while (1 << bits < 2 * capacity) bits++;
    this.a = new Int32Array(1 << bits).fill(-1);
    this.b = new Int32Array(1 << bits);
    this.value = new Int32Array(1 << bits);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
  }

  private slot(a: number, b: number): number {
    // Multiplicative (Fibonacci) hashing of both halves; the high bits are the well-mixed ones.
    return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x632be5ab, 0x85ebca77)) >>> this.shift;
  }

  set(a: number, b: number, value: number): void {
    let s = this.slot(a, b);
    while (this.a[s] >= 0 && !(this.a[s] === a && this.b[s] === b)) s = (s + 1) & this.mask;
    this.a[s] = a;
    this.b[s] = b;
    this.value[s] = value;
  }

  /** The value of (a, b), or -1. */
  get(a: number, b: number): number {
    let s = this.slot(a, b);
    for (;;) {
      const k = this.a[s];
      if (k < 0) return -1;
      if (k === a && this.b[s] === b) return this.value[s];
      s = (s + 1) & this.mask;
    }
  }
}
