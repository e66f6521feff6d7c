/**
 * A max-heap over (id, weight) pairs in caller-owned typed arrays (reordered in place): larger
 * weight first, ties by smaller id, so every walk is deterministic. Used to visit the most
 * probable tokens in order without sorting a whole vocabulary.
 */
export class MaxHeap {
  size: number;

  constructor(
    private readonly ids: Int32Array,
    private readonly weights: Float64Array,
    n: number,
  ) {
    this.size = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.down(i);
  }

  /** The id on top, or -1 when empty. */
  peek(): number {
    return this.size > 0 ? this.ids[0] : -1;
  }

  pop(): [number, number] {
    const top: [number, number] = [this.ids[0], this.weights[0]];
    this.size--;
    this.ids[0] = this.ids[this.size];
    this.weights[0] = this.weights[this.size];
    this.down(0);
    return top;
  }

  private before(i: number, j: number): boolean {
    return this.weights[i] > this.weights[j] || (this.weights[i] === this.weights[j] && this.ids[i] < this.ids[j]);
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.size && this.before(l, m)) m = l;
      if (r < this.size && this.before(r, m)) m = r;
      if (m === i) return;
      [this.ids[i], this.ids[m]] = [this.ids[m], this.ids[i]];
      [this.weights[i], this.weights[m]] = [this.weights[m], this.weights[i]];
      i = m;
    }
  }
}
