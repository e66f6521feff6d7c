import type { ReadoutPlan } from '../readout-plan.js';
import type { BackoffTables } from './backoff.js';
import { SummaryCache } from './follower-summary.js';
import { LowerCache, countAbove, countQAbove, findId, q } from './lower.js';

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

/** Everything at every position: what a caller without a plan gets. */
export const FULL_PLAN: ReadoutPlan = { rank: true, entropy: true, moments: true, candidatesAbove: -1 };

/**
 * Scoring of positions, reading out what the plan asks: the log-probability always (integer
 * context lookups and two binary searches); rank, entropy (and variance of log p) and top-k
 * candidates from the context's summary, built once per context (`follower-summary.ts`), in
 * binary searches, never a pass over the vocabulary or the followers. Holds the scratch it
 * reuses from one position to the next.
 */
export class Scorer {
  private readonly lowers: LowerCache;
  private readonly summaries: SummaryCache;
  private readonly nodes: Int32Array;

  constructor(private readonly kn: BackoffTables) {
    this.lowers = new LowerCache(kn);
    this.summaries = new SummaryCache(kn);
    this.nodes = new Int32Array(kn.order);
  }

  /**
   * Score token `history[i]` into `out` at index i: its log-probability, and as `plan` asks its
   * rank, the entropy of the distribution (and the variance of log p when `out` has room for
   * it) and its k most probable emittable tokens. The top level's followers are combined with
   * the cached lower distribution: p(w) = a(w) + γ · q(w).
   */
  scorePosition(history: ArrayLike<number>, i: number, k: number, plan: ReadoutPlan, out: PositionScores): void {
    const kn = this.kn;
    const p1 = kn.p1;
    const nodes = kn.contextNodes(history, i, this.nodes);
    const L = this.lowers.get(nodes);
    const level = kn.levels[kn.order - 1];
    const g = kn.order > 1 ? nodes[kn.order - 1] : -1;
    const x = history[i];
    const qx = q(p1, L, x);
    let gamma = 1;
    let ax = 0;
    if (g >= 0) {
      gamma = level.gamma[g];
      const j = level.follower(g, x);
      if (j >= 0) ax = level.discounted(g, j);
    }
    const px = ax + gamma * qx;
    out.logProb[i] = Math.log(px);
    // As ToEdit's selection compares: the stored float32, back in doubles.
    const candidates = k > 0 && Math.exp(out.logProb[i]) > plan.candidatesAbove;
    const moments = plan.moments && out.logProbVariance !== undefined;
    if (!(plan.rank || plan.entropy || moments || candidates)) {
      out.rank[i] = 0;
      out.entropy[i] = NaN;
      clearTop(out, i, k);
      return;
    }
    const s = this.summaries.get(g, L);
    if (plan.rank || candidates) {
      // Ids outside the top level's followers have p = γ·q, so count them in q space, then
      // swap the followers' count in q space for their count in p space.
      const tq = ax > 0 ? px / gamma : qx;
      const tP1 = ax > 0 ? tq / L.g : findId(L.ids, x) >= 0 ? qx / L.g : p1[x];
      out.rank[i] = countQAbove(kn, L, tq, tP1) - countAbove(s.descQ, tq) + countAbove(s.descP, px) + 1;
    } else {
      out.rank[i] = 0;
    }
    out.entropy[i] = plan.entropy || moments ? s.entropy : NaN;
    if (moments) out.logProbVariance![i] = s.variance;
    if (!candidates) {
      clearTop(out, i, k);
      return;
    }
    const c = this.summaries.candidates(s, g, L, k);
    out.topIds.set(c.topIds, i * k);
    out.topLogProbs.set(c.topLogProbs, i * k);
  }
}

/** No candidates at position i: ids -1, log-probabilities -Infinity. */
function clearTop(out: PositionScores, i: number, k: number): void {
  out.topIds.fill(-1, i * k, i * k + k);
  out.topLogProbs.fill(-Infinity, i * k, i * k + k);
}
