import type { Rng } from '../random.js';

/**
 * A document cut into the prior's tokens. Token i owns the characters [starts[i], ends[i]) of the
 * text; spans increase and never overlap, and the characters between them (whitespace for the
 * word tokenizer, nothing for byte-level BPE) are kept as they are. Replacing a token rewrites only
 * its span, so text outside edited spans survives byte for byte.
 */
export interface TokenizedText {
  ids: Int32Array;
  starts: Int32Array;
  ends: Int32Array;
}

/**
 * The prior's verdict on every token of one document. Position 0 is scored given the
 * beginning-of-document symbol. Log-probabilities are natural logs.
 */
export interface TokenScores {
  /** log P(x_i | x_<i) of the actual token. */
  logProb: Float32Array;
  /** 1 + the number of vocabulary entries strictly more probable than the actual token (0 if not asked for). */
  rank: Int32Array;
  /** Entropy of the next-token distribution at position i, in nats (NaN if not asked for). */
  entropy: Float32Array;
  /**
   * Variance of log p(w) for w drawn from the next-token distribution at position i
   * (Σ p (log p)² − entropy²), in nats²: with the entropy, the mean and spread of the log-probability
   * a sample from the prior itself would get (Fast-DetectGPT's analytic curvature). Present only
   * when ScoreOptions.moments asked for it.
   */
  logProbVariance?: Float32Array;
  /** Candidates kept per position (the `topK` asked for). */
  topK: number;
  /**
   * Row-major [n, topK]: the most probable emittable tokens, most probable first; -1 (with
   * log-probability -Infinity) where ScoreOptions.candidatesAbove left a position out.
   */
  topIds: Int32Array;
  /** Row-major [n, topK]: their log-probabilities. */
  topLogProbs: Float32Array;
}

export interface ScoreOptions {
  /** Candidates to keep per position (0: none). */
  topK: number;
  /**
   * Compute the entropy of every next-token distribution (default true). A neural prior pays one
   * exp per vocabulary entry per position for it, most of its read-out time (the n-gram prior a
   * walk over each new context's followers): callers that do not need it (editing, calibration,
   * audits) turn it off, and `entropy` is then NaN.
   */
  entropy?: boolean;
  /**
   * Also compute the variance of log p under each next-token distribution, with the entropy in the
   * same pass (default false; `entropy` is then filled whatever `entropy` says). Detection needs it.
   */
  moments?: boolean;
  /** Compute every rank (default true); the audit's rank buckets and the edit log need them. */
  rank?: boolean;
  /**
   * Candidates are only needed where P(actual token) > this (ToEdit's threshold): a prior may skip
   * the others, whose candidate slots then hold id -1. Default: candidates everywhere. Both priors
   * follow it (see ReadoutPlan): the neural prior saves a pass over the vocabulary per position,
   * the n-gram prior the candidate list of each context no selectable position reaches.
   */
  candidatesAbove?: number;
}

/** How to draw a token: the usual temperature, top-k (0 = off) and nucleus top-p (1 = off). */
export interface SamplingOptions {
  temperature: number;
  topK: number;
  topP: number;
}

/** The prior's distribution over the next token at one point of one sequence. */
export interface TokenDistribution {
  logProb(id: number): number;
  /**
   * Draw an emittable token (never a padding, unknown or control symbol), or one of the prior's end
   * tokens in a session opened with DecodingOptions.endTokens.
   */
  sample(rng: Rng, options: SamplingOptions): number;
}

/** How a decoding session draws. */
export interface DecodingOptions {
  /**
   * Let the distributions draw the prior's end tokens (PriorModel.endIds) besides the emittable
   * ones, so a caller can stop a sequence where the model ends its document (default false: only
   * emittable tokens, as before).
   */
  endTokens?: boolean;
}

/** Step-by-step decoding of several sequences at once (a key/value cache for neural priors). */
export interface DecodingSession {
  /** The next-token distribution of every sequence, in the order of the prompts. */
  next(): Promise<TokenDistribution[]>;
  /** Append one token to every sequence. */
  push(tokens: readonly number[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * One selected position for the two-sided draw: the edited tokens before it (as many as the prior
 * should see), its candidates, and the tokens after it whose probabilities each candidate changes.
 */
export interface CandidateWindow {
  history: Int32Array;
  /** The token the document has at the position (a candidate too, unless excluded). */
  token: number;
  candidates: Int32Array;
  lookahead: Int32Array;
}

/** What identifies a prior in a manifest: enough to know which model produced a run. */
export interface PriorIdentity {
  type: 'ngram' | 'transformers';
  name: string;
  /** sha256 of the model file(s), so two runs can be checked to use the same weights. */
  sha256: string;
  vocabSize: number;
  /** Tokens of context the prior sees (n - 1 for an n-gram model). */
  contextSize: number;
  details?: Record<string, unknown>;
}

/**
 * A prior language model: what ToEdit scores text with and samples replacements from. The
 * n-gram prior and the transformers.js prior both implement it; tests use the real ones.
 */
export interface PriorModel {
  readonly identity: PriorIdentity;
  tokenize(text: string): TokenizedText;
  /**
   * True when no token contains whitespace and a run of non-space characters tokenizes the same
   * wherever it stands (a word tokenizer; not byte-level BPE, whose tokens carry their space):
   * editing then checks a replacement by tokenizing only the run of non-space characters it is
   * in, not its whole window (placement.ts).
   */
  readonly tokensSplitAtWhitespace?: boolean;
  /** Score documents; long documents are scored in windows inside the implementation. */
  score(docs: readonly TokenizedText[], options: ScoreOptions): Promise<TokenScores[]>;
  /** The text of token `id` on its own (for logs, score dumps and candidate lists). */
  tokenText(id: number): string;
  /**
   * How token i of `text` becomes token `id`: the characters [start, end) to replace and the new
   * text. Usually token i's own span and tokenText(id); a word-level prior may also adjust the
   * whitespace before the token (a comma replaced by a word needs a space).
   */
  replacementSpan(text: string, tokens: TokenizedText, i: number, id: number): { start: number; end: number; text: string };
  /** Whether `id` may be written into a document (not unknown, padding or a control symbol). */
  isEmittable(id: number): boolean;
  /**
   * The tokens with which the model ends a document (`<|endoftext|>`, `</s>`...): never emittable,
   * drawn only by a decoding session opened with `endTokens`. Absent when the prior has none (the
   * n-gram prior).
   */
  readonly endIds?: readonly number[];
  /** Text to append after a document prefix of `prefix` tokens for the `generated` tokens. */
  continuationText(prefix: Int32Array, generated: Int32Array): string;
  beginDecoding(prompts: readonly Int32Array[], options?: DecodingOptions): Promise<DecodingSession>;
  /**
   * For each window, log P(c | history) + Σ_j log P(lookahead_j | history, c, lookahead_<j) of
   * every candidate c, scored together over a shared key/value cache (the neural prior). A prior
   * without it is asked for one scored window per candidate instead.
   */
  weighCandidates?(windows: readonly CandidateWindow[]): Promise<Float64Array[]>;
  dispose(): Promise<void>;
}
