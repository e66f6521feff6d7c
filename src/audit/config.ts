import { z } from 'zod';
import { GATE_CHECKS, type GateCheckName } from './gate.js';

/** Upper bounds on the drift of one view from the human reference (see gate.ts). */
const gateThresholds = z
  .object(Object.fromEntries(Object.keys(GATE_CHECKS).map((k) => [k, z.number().min(0).optional()])) as Record<GateCheckName, z.ZodOptional<z.ZodNumber>>)
  .strict();

/** The audit of a run: statistics of every view, comparisons with the human text, and the gate. */
export const auditSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Score the edited and synthetic views with the prior too (perplexity, rank buckets). */
    scoreViews: z.boolean().default(true),
    /** Distinct n-grams kept exactly per order before rare ones are pruned. */
    ngramBudget: z.number().int().min(1000).default(4_000_000),
    gate: z.object({ edited: gateThresholds.default({}), synthetic: gateThresholds.default({}) }).strict().default({}),
  })
  .strict();

export type AuditConfig = z.infer<typeof auditSchema>;
