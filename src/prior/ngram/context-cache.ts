import type { BackoffTables } from './backoff.js';

/**
 * Values computed per context and kept by the longest seen suffix of that context up to level
 * `top` (a group of one level), in arrays indexed by group: no key is built to look one up.
 * The lower distributions of scoring and the sampling tables of generation are both kept this
 * way. `build` makes a value on first use; `cost` says what it weighs against `budget`, past
 * which the cache is emptied, so memory stays bounded however many contexts a corpus has.
 */
export class ContextCache<T> {
  private byLevel: (T | undefined)[][] = [];
  private spent = 0;

  constructor(
    private readonly kn: BackoffTables,
    private readonly top: number,
    private readonly budget: number,
    private readonly build: (nodes: Int32Array) => T,
    private readonly cost: (value: T) => number,
  ) {
    this.clear();
  }

  private clear(): void {
    this.byLevel = this.kn.levels.map((l) => new Array<T | undefined>(Math.max(1, l.groups)));
    this.spent = 0;
  }

  /** The value after the context `nodes` (from `contextNodes`), built on first use. */
  get(nodes: Int32Array): T {
    let level = 0;
    let node = 0;
    for (let k = this.top; k >= 1; k--) {
      if (nodes[k] >= 0) {
        level = k;
        node = nodes[k];
        break;
      }
    }
    let value = this.byLevel[level][node];
    if (value !== undefined) return value;
    value = this.build(nodes);
    if (this.spent >= this.budget) this.clear();
    this.byLevel[level][node] = value;
    this.spent += this.cost(value);
    return value;
  }
}
