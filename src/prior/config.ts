import { z } from 'zod';
import { corpusSchema } from '../corpus/spec.js';

/** The built-in word-level interpolated Kneser-Ney prior, trained on first use and cached. */
export const ngramPriorSchema = z
  .object({
    type: z.literal('ngram'),
    order: z.number().int().min(1).max(6).default(3),
    minCount: z.number().int().min(1).default(2),
    /** Training corpus; must not overlap the input (cross-fitting, BRIEF §3.9). */
    train: corpusSchema.default({ format: 'brown', split: 'train' }),
    /** Where the trained model is cached; retrained when missing or made with other settings. */
    file: z.string().min(1).default('.cache/ngram/brown-train.tgkn.gz'),
  })
  .strict();

/** A causal language model through transformers.js, from a local folder. */
export const transformersPriorSchema = z
  .object({
    type: z.literal('transformers'),
    /** A local model folder in transformers.js layout, or a hub id when allowRemote is true. */
    model: z.string().min(1),
    allowRemote: z.boolean().default(false),
    quantized: z.boolean().default(false),
    /** Windows per forward pass. */
    batchSize: z.number().int().min(1).max(256).default(16),
    /** Most tokens per scoring window, 2..the model's context (checked on load); default min(context, 1024). */
    window: z.number().int().min(2).optional(),
    windowStride: z.number().int().min(1).optional(),
    /** MiB the logits of one forward pass may take; default 512. Outputs do not depend on it. */
    logitsBudgetMB: z.number().positive().optional(),
    /**
     * The library that runs the graph: @xenova/transformers (onnxruntime 1.14, CPU) or
     * @huggingface/transformers (onnxruntime 1.30: newer operators, CUDA / WebGPU providers).
     * Both read the model folder, tokenize and score the same way (docs/priors.md).
     */
    backend: z.enum(['xenova', 'huggingface']).default('xenova'),
    /** Execution provider of the huggingface backend (cpu, cuda, webgpu, ...); only CPU is tested. The xenova backend has the CPU only. */
    device: z.string().min(1).optional(),
  })
  .strict();

/** The prior of a pipeline or a comparison. */
export const priorSchema = z.discriminatedUnion('type', [ngramPriorSchema, transformersPriorSchema]);

/** Documents handed to the prior per call (scoring and generation); outputs do not depend on it. */
export const scoringBatchSchema = z.number().int().min(1).max(1024).default(8);

export type PriorConfig = z.infer<typeof priorSchema>;
export type NGramPriorConfig = z.infer<typeof ngramPriorSchema>;
export type TransformersPriorConfig = z.infer<typeof transformersPriorSchema>;
