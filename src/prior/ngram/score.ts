import { type BackoffTables, backoffWeight, discounted, findId, pick } from './backoff.js';
import { LowerCache, countQAbove, q } from './lower.js';
import { TopK, offerLower } from './top-k.js';
import { UNK } from './vocabulary.js';

/** Per-token output columns, as `emptyScores` allocates them; position i writes index i. */
export interface PositionScores {
  logProb: Float32Array;
  rank: Int32Array;
  entropy: Float32Array;
  logProbVariance?: Float32Array;
  /** k entries per position, from i·k. */
  topIds: Int32Array;
  topLogProbs: Float32Array;
}

/**
 * Scoring of positions: log-probability, rank, entropy (and variance of log p) and the top-k
 * offers, in time proportional to the number of followers of the context, never to the
 * vocabulary size: that is what makes corpus-scale scoring cheap. Holds the scratch it reuses
 * from one position to the next (the lower-distribution cache, the top-k buffer).
 */
export class Scorer {
  private readonly lowers: LowerCache;
  private readonly top = new TopK();

  constructor(private readonly kn: BackoffTables) {
    this.lowers = new LowerCache(kn);
  }

  /**
   * Score token `history[i]`: write its log-probability, rank, the entropy of the distribution
   * (and the variance of log p when `out` has room for it) and its k most probable emittable
   * tokens. The top level's followers (usually few) are combined with the cached lower
   * distribution: p(w) = a(w) + γ · q(w).
   */
  scorePosition(history: ArrayLike<number>, i: number, k: number, out: PositionScores): void {
    const kn = this.kn;
    const p1 = kn.p1;
    const keys = kn.contextKeys(history, i);
    const L = this.lowers.get(keys);
    const entry = kn.order > 1 ? kn.tables[kn.order - 1].get(keys[kn.order - 1]) : undefined;
    const d = kn.discount[kn.order - 1];
    const gamma = entry ? backoffWeight(entry, d) : 1;
    const x = history[i];
    const qx = q(p1, L, x);
    const ax = entry ? discounted(entry, d, x) : 0;
    const px = ax + gamma * qx;

    // Rank: ids outside the top level's followers have p = γ·q, so count them in q space.
    let count: number;
    if (ax > 0) {
      const t = px / gamma;
      count = countQAbove(kn, L, t, t / L.g);
    } else {
      count = countQAbove(kn, L, qx, findId(L.ids, x) >= 0 ? qx / L.g : p1[x]);
    }
    const tq = ax > 0 ? px / gamma : qx;
    let s = gamma * -L.entropy + (gamma > 0 ? gamma * Math.log(gamma) : 0);
    // Σ p (log p)² the same way: dense part γ·q expanded, followers corrected one by one.
    const moments = out.logProbVariance !== undefined;
    const lg = gamma > 0 ? Math.log(gamma) : 0;
    let m = moments && gamma > 0 ? gamma * (lg * lg - 2 * lg * L.entropy + L.secondMoment) : 0;
    const top = this.top.reset(k);
    if (entry) {
      for (let j = 0; j < entry.ids.length; j++) {
        const c = entry.counts[j];
        const a = Math.max(0, (c - pick(d, c)) / entry.total); // as `discounted`, without the search
        if (a <= 0) continue;
        const w = entry.ids[j];
        const qw = q(p1, L, w);
        const pw = a + gamma * qw;
        if (qw > tq) count--;
        if (w !== x && pw > px) count++;
        const dense = gamma * qw;
        if (dense > 0) s -= dense * Math.log(dense);
        s += pw * Math.log(pw);
        if (moments) {
          if (dense > 0) m -= dense * Math.log(dense) ** 2;
          m += pw * Math.log(pw) ** 2;
        }
        if (w !== UNK) top.offer(w, pw);
      }
    }
    out.logProb[i] = Math.log(px);
    out.rank[i] = count + 1;
    out.entropy[i] = -s;
    if (moments) out.logProbVariance![i] = Math.max(0, m - s * s);
    if (k > 0) {
      offerLower(kn, top, L, entry, gamma, k);
      top.write(out.topIds, out.topLogProbs, i * k);
    }
  }
}
