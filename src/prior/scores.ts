import type { TokenScores } from './types.js';

/** Zeroed score arrays for a document of n tokens with k candidates per position (and variances if asked). */
export function emptyScores(n: number, k: number, moments = false): TokenScores {
  const scores: TokenScores = {
    logProb: new Float32Array(n),
    rank: new Int32Array(n),
    entropy: new Float32Array(n),
    topK: k,
    topIds: new Int32Array(n * k),
    topLogProbs: new Float32Array(n * k),
  };
  if (moments) scores.logProbVariance = new Float32Array(n);
  return scores;
}
