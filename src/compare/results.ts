import type { PriorIdentity } from '../prior/types.js';
import type { StrategyConfig } from './config.js';

/** How far a corpus is from the human one, and what a model trained on it makes of real text. */
export interface ViewResult {
  /** Jensen-Shannon divergence from the human corpus per n-gram order 1..4, bits. */
  jsd: number[];
  /** Distinct-n (n = 1..4) and the share of the 40 most frequent n-grams. */
  distinct: number[];
  topMass: number[];
  typeLoss: number;
  /** Median per-document perplexity under the prior and W1 from the human distribution (when views are scored). */
  medianPerplexity: number | null;
  perplexityW1: number | null;
  /** Held-out perplexity of n-gram models trained on this corpus: per seed (mean over splits), per seed and split, and the mean and standard deviation over every seed and split. */
  downstream: { perSeed: number[]; perSeedAndSplit: number[][]; mean: number; sd: number };
}

export interface StrategyResult extends ViewResult {
  name: string;
  settings: StrategyConfig;
  threshold: number;
  /** Means over seeds of the shares of all tokens selected, changed and deleted. */
  selectedShare: number;
  changedShare: number;
  deletedShare: number;
  /** Share of all tokens never selected because they lie in a protected span (edit.protect). */
  protectedShare: number;
  /** Changed tokens per seed (a random baseline matches its mirror's exactly). */
  changedPerSeed: number[];
  /** Selected tokens of the first seed by the prior's probability of the original, bins of 0.1. */
  selectedByProbability: number[];
}

export interface ComparisonResults {
  name: string;
  prior: PriorIdentity;
  input: string;
  documents: number;
  rejected: number;
  tokens: number;
  seeds: number[];
  /** Fold splits of the downstream check. */
  splits?: number;
  /** Documents the prior scored for editing: each exactly once, whatever the number of strategies. */
  scoredDocuments: number;
  human: ViewResult;
  synthetic: ViewResult;
  strategies: StrategyResult[];
  timings: Record<string, number>;
  versions: Record<string, string | null>;
}
