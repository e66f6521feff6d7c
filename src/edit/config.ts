import { z } from 'zod';
import { type ProtectConfig, protectPatterns, protectSchema } from './protect.js';
import type { ResampleOptions } from './resample.js';

/**
 * Which tokens are selected. Absolute: P(x_i | x_<i) > p, the paper's rule. Calibrated: p is
 * chosen from the corpus so that `targetShare` of all tokens are selected (a weak prior rarely
 * reaches the paper's p = 0.99), from the probabilities of at most `maxTokens` tokens.
 * Changed-share: p is chosen so that the expected share of *changed* tokens (the sum over selected
 * positions of one minus the probability of drawing the original again) is `targetShare`: the
 * paper's size of change (0.25-1% of tokens) whatever the prior's confidence.
 */
export const selectionSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('absolute'), p: z.number().gt(0).max(1).default(0.99) }).strict(),
  z
    .object({
      mode: z.literal('calibrated'),
      targetShare: z.number().gt(0).lt(1).default(0.125),
      /** Probabilities of at most this many tokens (from the first documents) set the threshold. */
      maxTokens: z.number().int().min(1000).default(10_000_000),
    })
    .strict(),
  z
    .object({
      mode: z.literal('changed-share'),
      targetShare: z.number().gt(0).lt(1).default(0.01),
      maxTokens: z.number().int().min(1000).default(10_000_000),
    })
    .strict(),
]);

/**
 * The one definition of an edit strategy: ToEdit's threshold resampling and its variants, as
 * settings. The pipeline, `compare` and the simulator each take the keys they honour from it
 * (`strategyKeys`), so a key means the same, with the same bounds and default, everywhere.
 */
export const editStrategySchema = z
  .object({
    selection: selectionSchema.default({ mode: 'absolute', p: 0.99 }),
    /** 'below' resamples the low-probability end instead (the paper's inverse ablation). */
    select: z.enum(['above', 'below']).default('above'),
    /** Candidates: the prior's top-k, plus the original token unless excluded. */
    topK: z.number().int().min(1).max(1000).default(8),
    /** Cut the candidates to the shortest prefix of the top-k reaching this mass (1: off). */
    topP: z.number().gt(0).max(1).default(1),
    /** Draw from softmax(logprob / beta): beta > 1 flattens, as ToEdit's 1.5 does. */
    beta: z.number().gt(0).default(1.5),
    /** Leave the original out of the candidates, so every selected token changes. */
    excludeOriginal: z.boolean().default(false),
    /** Delete tokens with P below this (the authors' code's variant; off when null). */
    deleteBelow: z.number().gt(0).lt(1).nullable().default(null),
    /** Let whitespace-only tokens (paragraph breaks under byte-level BPE) be selected and drawn. */
    editWhitespace: z.boolean().default(false),
    /** Text never selected nor produced (numbers by default): see protect.ts. */
    protect: protectSchema.default({}),
    /** Select only tokens that are whole words: a sub-word piece (`anc` of `Francois`) is left alone. */
    wholeWords: z.boolean().default(false),
    /**
     * 'left': ToEdit's draw from P(c | x_<i). 'two-sided': from P(c | x_<i) times the prior's
     * probability of the next tokens with c in place (the full conditional; exact for an n-gram
     * prior), over the same candidates and with the same beta.
     */
    context: z.enum(['left', 'two-sided']).default('left'),
    /** Tokens after the edit the two-sided draw reads (null: n - 1 for an n-gram prior, 4 for a neural one). */
    lookahead: z.number().int().min(1).max(64).nullable().default(null),
  })
  .strict();

export type EditStrategy = z.infer<typeof editStrategySchema>;
export type SelectionConfig = z.infer<typeof selectionSchema>;
export type CalibratedSelection = Extract<SelectionConfig, { mode: 'calibrated' | 'changed-share' }>;

type StrategyKey = keyof typeof editStrategySchema.shape;

/** The schemas of some keys of the strategy, in the strategy's order, to spread into a consumer's own object schema. */
export function strategyKeys<K extends StrategyKey>(...keys: K[]): Pick<typeof editStrategySchema.shape, K> {
  const shape = editStrategySchema.shape;
  return Object.fromEntries(keys.map((k) => [k, shape[k]])) as Pick<typeof editStrategySchema.shape, K>;
}

/** The resampling options of a strategy at a threshold; keys a consumer does not offer take the strategy's defaults. */
export function resampleOptions(strategy: Partial<EditStrategy> & Pick<EditStrategy, 'topK' | 'beta' | 'excludeOriginal'>, threshold: number): ResampleOptions {
  return {
    threshold,
    topK: strategy.topK,
    topP: strategy.topP ?? 1,
    beta: strategy.beta,
    excludeOriginal: strategy.excludeOriginal,
    deleteBelow: strategy.deleteBelow ?? null,
    editWhitespace: strategy.editWhitespace ?? false,
    select: strategy.select ?? 'above',
    protectPatterns: compiled(strategy.protect ?? DEFAULT_PROTECT),
    wholeWords: strategy.wholeWords ?? false,
  };
}

const DEFAULT_PROTECT: ProtectConfig = protectSchema.parse({});

// resampleOptions runs once per document: the expressions are compiled once per setting.
const compiledPatterns = new WeakMap<ProtectConfig, RegExp[]>();
function compiled(protect: ProtectConfig): RegExp[] {
  let patterns = compiledPatterns.get(protect);
  if (!patterns) compiledPatterns.set(protect, (patterns = protectPatterns(protect)));
  return patterns;
}
