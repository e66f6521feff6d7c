import type { KeepOptions } from '../edit/calibrate.js';
import type { PipelineConfig } from './config.js';

/** Tokens whose calibration-pass scores are kept for the editing pass (~76 bytes each at top-8). */
export const SCORE_CACHE_TOKENS = 2_000_000;

/**
 * What a pipeline's editing pass needs of the kept scores: its top-k candidates, and entropy and
 * candidates everywhere when per-token scores are written; `maxTokens` of them at most.
 */
export function keepFor(config: PipelineConfig, maxTokens = SCORE_CACHE_TOKENS): KeepOptions {
  return { topK: config.edit.topK, maxTokens, entropy: config.writeScores, allCandidates: config.writeScores, rank: rankEverywhere(config) };
}

/**
 * Whether the editing pass needs every position's rank: the audit's rank buckets and the
 * report's token samples, scores.jsonl and the edit log's deletions (any position) read it.
 * Otherwise only the edit log's resampled positions do, which are above the threshold, where
 * the candidates are read and the rank comes with them (issue 22: the rank everywhere was half
 * of an audit-off run's scoring).
 */
export function rankEverywhere(config: PipelineConfig): boolean {
  return config.audit.enabled || config.writeScores || (config.edit.enabled && config.edit.deleteBelow !== null);
}
