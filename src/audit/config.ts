import { z } from 'zod';
import { GATE_CHECKS, type GateCheckName, type GateThresholds } from './gate.js';

/** Upper bounds on the drift of one view from the human reference (see gate.ts). */
const gateThresholds = z
  .object(Object.fromEntries(Object.keys(GATE_CHECKS).map((k) => [k, z.number().min(0).optional()])) as Record<GateCheckName, z.ZodOptional<z.ZodNumber>>)
  .strict();

/**
 * The gate every pipeline gets on its edited output unless it says otherwise. Bounds from
 * honest and over-edited runs on human corpora (docs/gate.md): honest ToEdit stays well under
 * them with either shipped prior, an edit that rewrites a quarter of the tokens does not.
 */
export const DEFAULT_EDITED_GATE: GateThresholds = { maxJsd2: 0.08, maxDistinct2Drop: 0.01, maxTypeLoss: 0.12 };

/**
 * A gate is bounds per view. A view left out gets its default (edited: DEFAULT_EDITED_GATE,
 * synthetic: none, it is a baseline expected to drift); `{}` for a view checks nothing on it;
 * `false` turns the whole gate off. A run whose gate checked nothing says so loudly.
 */
const gateSchema = z.union([
  z.literal(false),
  z.object({ edited: gateThresholds.default(DEFAULT_EDITED_GATE), synthetic: gateThresholds.default({}) }).strict(),
]);

/** The audit of a run: statistics of every view, comparisons with the human text, and the gate. */
export const auditSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Score the edited and synthetic views with the prior too (perplexity, rank buckets). */
    scoreViews: z.boolean().default(true),
    /** Distinct n-grams kept exactly per order before rare ones are pruned. */
    ngramBudget: z.number().int().min(1000).default(4_000_000),
    gate: gateSchema.default({}),
  })
  .strict();

export type AuditConfig = z.infer<typeof auditSchema>;
