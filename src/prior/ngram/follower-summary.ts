import type { BackoffTables } from './backoff.js';
import { type LowerStats, q } from './lower.js';
import { TopK, offerLower } from './top-k.js';
import { UNK } from './vocabulary.js';

/**
 * What scoring needs of a top-order context beyond the actual token's probability, all of it
 * fixed by the context alone: the distribution after it is p(w) = a(w) + γ·q(w) with a over the
 * context's followers and q the lower distribution. So the followers are walked once per context
 * (not once per position, which was 43% of a scoring run's time), and a position then costs
 * binary searches: its rank counts the followers above it in `descQ` / `descP`.
 */
export interface FollowerSummary {
  /** q(w) and p(w) of the followers with a(w) > 0, each descending. */
  descQ: Float64Array;
  descP: Float64Array;
  /** Entropy of the distribution and the variance of log p under it. */
  entropy: number;
  variance: number;
  /** The k most probable emittable ids and their log-probabilities, for the last k asked (k = -1: none yet). */
  k: number;
  topIds: Int32Array;
  topLogProbs: Float32Array;
}

/**
 * Bytes of summaries kept before the cache is emptied. Counted in bytes, not followers: most
 * contexts have one to three followers, and then a summary's objects and typed arrays (measured
 * about 900 bytes a summary on generated text, 16 per follower) outweigh its values; counted in
 * followers, scoring 10x the generated text kept 184K summaries (171 MB of heap) under a budget
 * that never bound. Outputs do not depend on it: a summary is rebuilt bit for bit.
 */
const SUMMARY_BYTES = 48_000_000;
/** A summary's fixed cost: the object and its typed arrays (each an object and a buffer). */
const SUMMARY_FIXED_BYTES = 640;
/** The k = -1 placeholders, shared: `candidates` replaces them, never writes into them. */
const NO_IDS = new Int32Array(0);
const NO_LOG_PROBS = new Float32Array(0);

/** Summaries by top-order context group, built on first use; one per model. */
export class SummaryCache {
  private byGroup: (FollowerSummary | undefined)[] = [];
  /** The summary of an unseen top context is that of its lower distribution alone. */
  private byLower = new WeakMap<LowerStats, FollowerSummary>();
  private bytes = 0;
  private readonly top = new TopK();

  constructor(private readonly kn: BackoffTables) {
    this.clear();
  }

  private clear(): void {
    const kn = this.kn;
    this.byGroup = new Array(kn.order > 1 ? kn.levels[kn.order - 1].groups : 0);
    this.byLower = new WeakMap();
    this.bytes = 0;
  }

  /** The summary of top-order context group `g` (-1: unseen) whose lower distribution is `L`. */
  get(g: number, L: LowerStats): FollowerSummary {
    let s = g >= 0 ? this.byGroup[g] : this.byLower.get(L);
    if (s) return s;
    s = summarise(this.kn, g, L);
    if (this.bytes >= SUMMARY_BYTES) this.clear();
    this.bytes += SUMMARY_FIXED_BYTES + 16 * s.descP.length;
    if (g >= 0) this.byGroup[g] = s;
    else this.byLower.set(L, s);
    return s;
  }

  /** The summary's top-k candidates, computed for this k if the last request asked another. */
  candidates(s: FollowerSummary, g: number, L: LowerStats, k: number): FollowerSummary {
    if (s.k === k) return s;
    const kn = this.kn;
    const top = this.top.reset(k);
    const level = kn.levels[kn.order - 1];
    const gamma = g >= 0 ? level.gamma[g] : 1;
    if (g >= 0) {
      for (let j = level.start[g]; j < level.start[g + 1]; j++) {
        const a = level.discounted(g, j);
        const w = level.words[j];
        if (a > 0 && w !== UNK) top.offer(w, a + gamma * q(kn.p1, L, w));
      }
    }
    offerLower(kn, top, L, g, gamma, k);
    s.k = k;
    s.topIds = new Int32Array(k);
    s.topLogProbs = new Float32Array(k);
    this.bytes += 8 * k;
    top.write(s.topIds, s.topLogProbs, 0);
    return s;
  }
}

/**
 * Walk the followers once: their q and p, and the entropy and second moment of log p, summed in
 * the order (and with the operations) scoring used per position, so every value is bit-identical.
 */
function summarise(kn: BackoffTables, g: number, L: LowerStats): FollowerSummary {
  const p1 = kn.p1;
  const level = kn.levels[kn.order - 1];
  const gamma = g >= 0 ? level.gamma[g] : 1;
  const qs: number[] = [];
  const ps: number[] = [];
  let s = gamma * -L.entropy + (gamma > 0 ? gamma * Math.log(gamma) : 0);
  // Σ p (log p)² the same way: dense part γ·q expanded, followers corrected one by one.
  const lg = gamma > 0 ? Math.log(gamma) : 0;
  let m = gamma > 0 ? gamma * (lg * lg - 2 * lg * L.entropy + L.secondMoment) : 0;
  if (g >= 0) {
    for (let j = level.start[g]; j < level.start[g + 1]; j++) {
      const a = level.discounted(g, j);
      if (a <= 0) continue;
      const qw = q(p1, L, level.words[j]);
      const pw = a + gamma * qw;
      const dense = gamma * qw;
      if (dense > 0) s -= dense * Math.log(dense);
      s += pw * Math.log(pw);
      if (dense > 0) m -= dense * Math.log(dense) ** 2;
      m += pw * Math.log(pw) ** 2;
      qs.push(qw);
      ps.push(pw);
    }
  }
  return {
    descQ: Float64Array.from(qs).sort().reverse(),
    descP: Float64Array.from(ps).sort().reverse(),
    entropy: -s,
    variance: Math.max(0, m - s * s),
    k: -1,
    topIds: NO_IDS,
    topLogProbs: NO_LOG_PROBS,
  };
}
