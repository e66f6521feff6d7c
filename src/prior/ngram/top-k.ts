import type { BackoffTables } from './backoff.js';
import { type LowerStats, walkQ } from './lower.js';

/**
 * The k largest (id, p) pairs offered, most probable first, ties by smaller id. k is small (a
 * handful of edit candidates), so insertion into a sorted array is enough. The arrays are reused
 * from one position to the next, not allocated per token.
 */
export class TopK {
  private ids = new Int32Array(0);
  private ps = new Float64Array(0);
  private k = 0;

  reset(k: number): this {
    if (this.ids.length !== k) {
      this.ids = new Int32Array(k);
      this.ps = new Float64Array(k);
    }
    this.k = k;
    this.ids.fill(-1);
    this.ps.fill(-1);
    return this;
  }

  offer(id: number, p: number): void {
    const { ids, ps, k } = this;
    if (k === 0) return;
    if (p < ps[k - 1] || (p === ps[k - 1] && ids[k - 1] >= 0 && id > ids[k - 1])) return;
    let j = k - 1;
    while (j > 0 && (ps[j - 1] < p || (ps[j - 1] === p && ids[j - 1] > id))) {
      ps[j] = ps[j - 1];
      ids[j] = ids[j - 1];
      j--;
    }
    ps[j] = p;
    ids[j] = id;
  }

  /** The k ids and their log-probabilities into `outIds` / `outLogProbs` from `offset`. */
  write(outIds: Int32Array, outLogProbs: Float32Array, offset: number): void {
    for (let j = 0; j < this.k; j++) {
      outIds[offset + j] = this.ids[j];
      outLogProbs[offset + j] = this.ps[j] > 0 ? Math.log(this.ps[j]) : -Infinity;
    }
  }
}

/**
 * Offer the k most probable ids outside the followers of top-order context group `g` (-1:
 * unseen; the followers themselves are offered by the caller's walk over them): for the others
 * p = γ·q, so they are the head of q. The cached head usually suffices; a context with very
 * many followers walks on past it.
 */
export function offerLower(kn: BackoffTables, top: TopK, L: LowerStats, g: number, gamma: number, k: number): void {
  const level = kn.levels[kn.order - 1];
  const inTop = (w: number) => {
    const j = g >= 0 ? level.follower(g, w) : -1;
    return j >= 0 && level.discounted(g, j) > 0;
  };
  let added = 0;
  for (let j = 0; j < L.head.length && added < k; j++) {
    if (inTop(L.head[j])) continue;
    top.offer(L.head[j], gamma * L.headVals[j]);
    added++;
  }
  if (added >= k) return;
  let skip = L.head.length; // already offered, in the same order
  walkQ(kn, L, (w, q) => {
    if (skip > 0) {
      skip--;
      return true;
    }
    if (inTop(w)) return true;
    top.offer(w, gamma * q);
    return ++added < k;
  });
}
