import type { KeepOptions } from '../edit/calibrate.js';
import type { PipelineConfig } from './config.js';

/** Tokens whose calibration-pass scores are kept for the editing pass (~76 bytes each at top-8). */
export const SCORE_CACHE_TOKENS = 2_000_000;

/**
 * What a pipeline's editing pass needs of the kept scores: its top-k candidates, and entropy and
 * candidates everywhere when per-token scores are written; `maxTokens` of them at most.
 */
export function keepFor(config: PipelineConfig, maxTokens = SCORE_CACHE_TOKENS): KeepOptions {
  return { topK: config.edit.topK, maxTokens, entropy: config.writeScores, allCandidates: config.writeScores };
}
