import { z } from 'zod';
import { auditSchema } from '../audit/config.js';
import { loadConfig, parseConfig } from '../config-file.js';
import { corpusSchema } from '../corpus/spec.js';
import { strategyKeys } from '../edit/config.js';
import { syntheticSchema } from '../generate/config.js';
import { priorSchema, scoringBatchSchema } from '../prior/config.js';
import { runNameSchema, runSeedSchema } from '../run-io/config.js';

/**
 * A comparison: one corpus, one prior, many edit strategies. Every strategy is a setting of the
 * editing stage (src/edit/config.ts); the corpus is scored once and edited by each strategy from
 * the same scores.
 */

const strategy = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._%-]+$/, 'letters, digits, dot, dash, underscore and % only'),
    /** 'toedit': select by probability; 'random': as many changes as `mirror` makes, at random positions. */
    kind: z.enum(['toedit', 'random']).default('toedit'),
    /** For kind 'random': the strategy whose number of changed tokens it copies. */
    mirror: z.string().optional(),
    ...strategyKeys('selection', 'select', 'topK', 'topP', 'beta', 'excludeOriginal', 'deleteBelow', 'protect', 'wholeWords', 'context', 'lookahead'),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.kind === 'random' && !s.mirror) ctx.addIssue({ code: 'custom', path: ['mirror'], message: 'a random baseline names the strategy it mirrors' });
  });

export const comparisonSchema = z
  .object({
    name: runNameSchema,
    description: z.string().optional(),
    seed: runSeedSchema,
    input: corpusSchema,
    /** Compare on at most this many documents (after rejects). */
    limit: z.number().int().min(1).optional(),
    prior: priorSchema,
    /** Edit seeds per strategy: the downstream check reports mean and spread over them. */
    seeds: z.number().int().min(1).max(50).default(5),
    /** Score every edited view with the prior (perplexity W1, rank buckets); costly with a neural prior. */
    scoreViews: auditSchema.shape.scoreViews,
    synthetic: syntheticSchema.default({}),
    downstream: z
      .object({
        /** Order of the Kneser-Ney model trained on each corpus. */
        order: z.number().int().min(1).max(6).default(3),
        /** Probability floor mixed in when scoring held-out text: (1 - f)·p + f / V. */
        floor: z.number().gt(0).lt(0.01).default(1e-6),
        /** Fold splits: even/odd documents, then seeded random halves; the spread covers split and seed. */
        splits: z.number().int().min(1).max(20).default(3),
      })
      .strict()
      .default({}),
    ngramBudget: auditSchema.shape.ngramBudget,
    batchSize: scoringBatchSchema,
    strategies: z.array(strategy).min(1),
  })
  .strict()
  .superRefine((c, ctx) => {
    const names = new Set<string>();
    c.strategies.forEach((s, i) => {
      if (names.has(s.name)) ctx.addIssue({ code: 'custom', path: ['strategies', i, 'name'], message: `duplicate strategy name "${s.name}"` });
      names.add(s.name);
    });
    c.strategies.forEach((s, i) => {
      const target = c.strategies.find((t) => t.name === s.mirror);
      if (s.mirror && (!target || target.kind === 'random')) {
        ctx.addIssue({ code: 'custom', path: ['strategies', i, 'mirror'], message: `"${s.mirror}" is not a non-random strategy of this comparison` });
      }
    });
  });

export type ComparisonConfig = z.infer<typeof comparisonSchema>;
export type StrategyConfig = ComparisonConfig['strategies'][number];

export function parseComparison(value: unknown, source = 'comparison'): ComparisonConfig {
  return parseConfig(comparisonSchema, value, source, 'comparison');
}

export function loadComparison(path: string): Promise<ComparisonConfig> {
  return loadConfig(path, parseComparison, 'comparison');
}
