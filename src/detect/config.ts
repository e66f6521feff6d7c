import { z } from 'zod';
import { TailguardError } from '../errors.js';
import { corpusSchema as corpus } from '../corpus/spec.js';
import { ngramPriorSchema as ngramPrior, transformersPriorSchema as transformersPrior } from '../prior/config.js';
import { runSeedSchema } from '../run-io/config.js';
import { MIN_SEGMENT_CHARS } from './enough-text.js';

/** Settings of `tailguard detect`, validated before any work (unknown keys are refused). */
export const detectSchema = z
  .object({
    seed: runSeedSchema,
    /** Human text the user trusts: calibration and held-out parts come from it, split by document. */
    reference: corpus.default({ format: 'brown', split: 'heldout' }),
    /** Known machine text to calibrate on; when absent, the generator continues reference prompts. */
    synthetic: corpus.optional(),
    priors: z
      .object({ neural: transformersPrior.optional(), ngram: ngramPrior.optional() })
      .strict()
      .refine((p) => p.neural || p.ngram, 'name at least one prior (neural or ngram)'),
    /** Which prior writes the synthetic calibration text (default: neural when there is one). */
    generator: z.enum(['neural', 'ngram']).optional(),
    generation: z
      .object({
        promptTokens: z.number().int().min(1).default(32),
        temperature: z.number().gt(0).default(1),
        topK: z.number().int().min(0).default(0),
        /** Nucleus sampling, as synthetic-data generators usually sample (the neural pipeline does too). */
        topP: z.number().gt(0).max(1).default(0.9),
      })
      .strict()
      .default({}),
    /** Reference (and given synthetic) documents are cut into segments of about this many characters. */
    segmentChars: z.number().int().min(MIN_SEGMENT_CHARS).default(1500),
    /** At most this many segments per reference document (0: all). */
    segmentsPerDocument: z.number().int().min(0).default(2),
    /** Share of reference documents used to choose the feature and threshold; the rest is held out. */
    calibrationShare: z.number().gt(0).lt(1).default(0.5),
    /** False-positive rate the threshold is set to on the calibration human text. */
    fpr: z.number().gt(0).lt(1).default(0.05),
    bootstrap: z.number().int().min(20).default(500),
    level: z.number().gt(0).lt(1).default(0.95),
    /** Documents scored per call to a prior. */
    batchSize: z.number().int().min(1).default(32),
  })
  .strict()
  .refine((c) => !c.generator || c.priors[c.generator], { message: 'the generator must be one of the priors given', path: ['generator'] });

export type DetectConfig = z.infer<typeof detectSchema>;
export type DetectInput = z.input<typeof detectSchema>;

/** Validate detect settings; errors name each offending key. */
export function parseDetect(value: unknown, source = 'detect options'): DetectConfig {
  const result = detectSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.code === 'unrecognized_keys' ? `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}` : i.message}`);
  throw new TailguardError('config', `${source}: invalid\n${problems.join('\n')}`);
}
