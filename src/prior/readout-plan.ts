import type { ScoreOptions } from './types.js';

/**
 * Which statistics a prior reads out at each scored position, beyond the log-probability of the
 * actual token (always read). Both priors follow it: the neural prior because every statistic
 * but the log-probability costs a pass over a vocabulary-sized row, the n-gram prior because
 * rank, entropy and candidates need the context's followers while the log-probability needs
 * two binary searches (issue 22: reading everything everywhere was most of its scoring time).
 */
export interface ReadoutPlan {
  rank: boolean;
  entropy: boolean;
  /** The entropy and the variance of log p in one pass (into `logProbVariance`, which must exist). */
  moments: boolean;
  /**
   * Read top-k candidates (and the rank, which comes with them) only where P(actual token) >
   * candidatesAbove, compared in doubles on the stored float32 log-probability exactly as
   * ToEdit's selection compares (`Math.exp(logProb) > p`); -1 reads them everywhere. Positions
   * without candidates get ids -1 and log-probabilities -Infinity.
   */
  candidatesAbove: number;
}

/** The plan a caller's score options ask for (rank and entropy by default, candidates everywhere). */
export function readoutPlan(options: ScoreOptions): ReadoutPlan {
  return { rank: options.rank ?? true, entropy: options.entropy ?? true, moments: options.moments ?? false, candidatesAbove: options.candidatesAbove ?? -1 };
}
