import { z } from 'zod';

/**
 * Fully synthetic continuations: each document's first `promptTokens` tokens continued by the
 * prior to the document's length, or until a neural prior draws its end token. Used by the
 * pipeline and by `compare`.
 */
export const syntheticSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Tokens of each document kept as the prompt. */
    promptTokens: z.number().int().min(1).default(32),
    temperature: z.number().min(0).default(1),
    /** Keep the K most probable tokens (0: off). */
    topK: z.number().int().min(0).default(0),
    /** Nucleus sampling mass (1: off). */
    topP: z.number().gt(0).max(1).default(1),
    /**
     * Stop a continuation where a neural prior draws its end token (`<|endoftext|>`, `</s>`), as
     * the model ends a document. Off by default: the synthetic view is the audit's baseline, and
     * its diversity and concentration measures depend on corpus size, so counterparts are
     * length-matched (the end token is masked out of the draws) unless a user asks.
     */
    stopAtEnd: z.boolean().default(false),
  })
  .strict();

export type SyntheticConfig = z.infer<typeof syntheticSchema>;
