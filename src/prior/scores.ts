import type { TokenScores } from './types.js';

/** Zeroed score arrays for a document of n tokens with k candidates per position. */
export function emptyScores(n: number, k: number): TokenScores {
  return {
    logProb: new Float32Array(n),
    rank: new Int32Array(n),
    entropy: new Float32Array(n),
    topK: k,
    topIds: new Int32Array(n * k),
    topLogProbs: new Float32Array(n * k),
  };
}
