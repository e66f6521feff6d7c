import { z } from 'zod';
import { loadConfig, parseConfig } from '../config-file.js';
import { strategyKeys } from '../edit/config.js';

/**
 * The simulation file of `tailguard simulate`: which data regimes to run on Brown, with which
 * model, for how many generations and seeds. Validated like a pipeline file: unknown keys and bad
 * values are refused before any work, naming the key.
 */
/** n-gram keys of the MLE model are exact in a double up to this order (see counts.ts). */
const MLE_MAX_ORDER = 3;

const model = z.discriminatedUnion('type', [
  /** Interpolated modified Kneser-Ney (the built-in prior's model). */
  z.object({ type: z.literal('kneser-ney'), order: z.number().int().min(2).max(5).default(3) }).strict(),
  /** Unsmoothed maximum likelihood (Seddik et al.'s model): a context keeps only the followers it saw. */
  z.object({ type: z.literal('mle'), order: z.number().int().min(2).max(MLE_MAX_ORDER).default(2) }).strict(),
]);

const common = {
  /** Label of the regime in results; defaults to its type and model. */
  name: z.string().regex(/^[A-Za-z0-9._=-]+$/, 'letters, digits, dot, dash, underscore and = only').optional(),
  model: model.default({ type: 'kneser-ney', order: 3 }),
};
const share = z.number().min(0).max(1);
const sizes = z.array(z.number().int().min(1000)).min(2);

const regime = z.discriminatedUnion('type', [
  /** Each generation trains only on the previous model's samples. */
  z.object({ type: z.literal('replace'), ...common }).strict(),
  /** Real data plus every synthetic set so far. */
  z.object({ type: z.literal('accumulate'), ...common }).strict(),
  /** The accumulated pool, subsampled (whole documents) to the real set's size. */
  z.object({ type: z.literal('accumulate-subsample'), ...common }).strict(),
  /** The real set plus `ratio` × its size of fresh samples from the previous model, one curve per ratio. */
  z.object({ type: z.literal('mix'), ...common, ratios: z.array(z.number().gt(0)).min(1) }).strict(),
  /** Non-iterative: the first model's samples make up `share` of a training set of the real set's size. */
  z.object({ type: z.literal('share-sweep'), ...common, shares: z.array(share).min(2).default([0, 0.25, 0.5, 0.75, 1]) }).strict(),
  /**
   * A constant share of samples from a shifted generator as the training set grows (Dohmatob et
   * al.'s strong collapse): one curve per share, x = tokens. The real part of a training set of
   * `size` tokens is the first tokens of the seed's Brown train order (the real set is its start),
   * so sizes may run past the real set, up to the train split less the generator's text.
   */
  z
    .object({
      type: z.literal('fixed-share'),
      ...common,
      shares: z.array(share).min(1).default([0, 0.1]),
      sizes,
      generator: z
        .object({
          /**
           * Without a genre, the generator is trained on the last `tokens` tokens of the seed's
           * Brown train order: text no training set of the curves contains (nor held-out), so its
           * samples carry no real information the curves lack, only its error. With a genre, on
           * that genre's documents of all Brown train, which overlap the real data (a labelled
           * variant: such samples add real text the small sets lack).
           */
          genre: z.string().min(1).optional(),
          tokens: z.number().int().min(1000).optional(),
          temperature: z.number().gt(0).default(1),
        })
        .strict()
        .default({}),
    })
    .strict(),
  /** Iterated token editing of the real set with the previous generation's model as prior. */
  z
    .object({
      type: z.literal('toedit'),
      ...common,
      // Every selection mode and both draws; the n-gram prior's lookahead is always n - 1, so no `lookahead`.
      ...strategyKeys('selection', 'topK', 'beta', 'excludeOriginal', 'context'),
      /**
       * The editing prior: 'retrained' on each generation's text (cross-fitted), or 'fixed': the
       * cross-fitted priors of the real set, kept for every generation (the paper keeps one
       * pretrained model).
       */
      prior: z.enum(['retrained', 'fixed']).default('retrained'),
      /** A calibrated threshold: calibrated on the first edit and kept ('fixed'), or 'recalibrated' every generation. */
      threshold: z.enum(['fixed', 'recalibrated']).default('fixed'),
      /** The provenance mask: a position selected once is never selected again (the paper's theory assumes it). */
      mask: z.boolean().default(true),
    })
    .strict(),
]);

export const simulationSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only'),
    description: z.string().optional(),
    /** Repeat r (0-based) runs with seed + r; every random stream derives from it. */
    seed: z.number().int().min(0).max(2 ** 31).default(1),
    repeats: z.number().int().min(1).max(100).default(5),
    /** Real set: this many tokens of Brown train, whole documents drawn at random per seed. */
    realTokens: z.number().int().min(1000).default(100_000),
    /** Generations after the first model (generation 0, trained on the real set). */
    generations: z.number().int().min(1).max(100).default(5),
    /** Probability floor mixed into every model when scoring held-out text: (1 - f)·p + f / V. */
    floor: z.number().gt(0).lt(0.01).default(1e-6),
    /** How many of the most frequent bigrams make the "top mass" (ToEdit: top 40). */
    topK: z.number().int().min(1).default(40),
    /** Repeats run in parallel worker threads (default: one per CPU, at most the repeats). */
    workers: z.number().int().min(1).max(64).optional(),
    regimes: z.array(regime).min(1),
  })
  .strict()
  .superRefine((s, ctx) => {
    for (const [i, r] of s.regimes.entries()) {
      if (r.type === 'toedit' && r.model.type !== 'kneser-ney') {
        ctx.addIssue({ code: 'custom', path: ['regimes', i, 'model', 'type'], message: 'toedit needs a kneser-ney model (its prior must give top-k candidates)' });
      }
      if (r.type === 'toedit' && r.threshold === 'recalibrated' && r.selection.mode === 'absolute') {
        ctx.addIssue({ code: 'custom', path: ['regimes', i, 'threshold'], message: 'only a calibrated selection can be recalibrated; an absolute p is the same every generation' });
      }
      if (r.type === 'fixed-share') {
        if (r.generator.genre !== undefined && r.generator.tokens !== undefined) ctx.addIssue({ code: 'custom', path: ['regimes', i, 'generator', 'tokens'], message: 'tokens is the size of the disjoint generator\'s text; a genre generator takes the whole genre' });
        const room = MAX_REAL_TOKENS - (r.generator.genre === undefined ? generatorTokens(r.generator) : 0);
        if (Math.max(...r.sizes) > room) ctx.addIssue({ code: 'custom', path: ['regimes', i, 'sizes'], message: `sizes must stay within the Brown train split less the generator's text (at most ${room})` });
      }
    }
    if (s.realTokens > MAX_REAL_TOKENS) ctx.addIssue({ code: 'custom', path: ['realTokens'], message: `at most ${MAX_REAL_TOKENS} (the Brown train split)` });
    const names = s.regimes.map(regimeName);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) ctx.addIssue({ code: 'custom', path: ['regimes'], message: `two regimes are both named "${dup}"; give one a "name"` });
  });

/** Text of the disjoint fixed-share generator, in tokens, unless `tokens` says otherwise. */
export const generatorTokens = (g: { tokens?: number }) => g.tokens ?? 100_000;

/** Tokens of the Brown train split under the word tokenizer, rounded down: the real pool. */
export const MAX_REAL_TOKENS = 1_000_000;

export type SimulationConfig = z.infer<typeof simulationSchema>;
export type SimulationInput = z.input<typeof simulationSchema>;
export type RegimeConfig = SimulationConfig['regimes'][number];
export type ModelConfig = RegimeConfig['model'];

/** A regime's label: its name, or type and model (`replace/kn3`, `toedit/kn3/changed-share/two-sided/fixed-prior/no-mask`). */
export function regimeName(r: RegimeConfig): string {
  if (r.name) return r.name;
  const model = `${r.model.type === 'mle' ? 'mle' : 'kn'}${r.model.order}`;
  if (r.type !== 'toedit') return `${r.type}/${model}`;
  // The defaults (retrained prior, fixed threshold, mask) keep the short name.
  const variant = [r.context === 'two-sided' ? 'two-sided' : '', r.prior === 'fixed' ? 'fixed-prior' : '', r.threshold === 'recalibrated' ? 'recalibrated' : '', r.mask ? '' : 'no-mask'].filter(Boolean);
  return [`toedit/${model}/${r.selection.mode}`, ...variant].join('/');
}

export function parseSimulation(value: unknown, source = 'simulation'): SimulationConfig {
  return parseConfig(simulationSchema, value, source, 'simulation');
}

export function loadSimulation(path: string): Promise<SimulationConfig> {
  return loadConfig(path, parseSimulation, 'simulation');
}
