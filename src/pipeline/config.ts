import { z } from 'zod';
import { auditSchema } from '../audit/config.js';
import { loadConfig, parseConfig } from '../config-file.js';
import { OUTPUT_FORMATS } from '../corpus/output-format.js';
import { corpusSchema } from '../corpus/spec.js';
import { type CalibratedSelection, strategyKeys } from '../edit/config.js';
import { TailguardError } from '../errors.js';
import { syntheticSchema } from '../generate/config.js';
import { resolveResource } from '../package-resource.js';
import { priorSchema, scoringBatchSchema } from '../prior/config.js';
import { runNameSchema, runSeedSchema } from '../run-io/config.js';

/**
 * A pipeline file: it composes the parts' own schemas (corpus, prior, edit strategy, synthetic
 * generation, audit) and adds only what the runner itself owns: output, checkpoints, batching.
 */
const edit = z
  .object({
    enabled: z.boolean().default(true),
    ...strategyKeys('selection', 'topK', 'beta', 'excludeOriginal', 'deleteBelow', 'editWhitespace', 'protect', 'wholeWords', 'context', 'lookahead'),
    /** An earlier generation's edits.jsonl: the spans it edited (and the ones it inherited) are never selected. */
    lockedFrom: z.string().min(1).nullable().default(null),
    /** Warn when fewer than this share of tokens are selected. */
    warnBelowShare: z.number().min(0).max(1).default(0.01),
  })
  .strict();

export const pipelineSchema = z
  .object({
    name: runNameSchema,
    description: z.string().optional(),
    seed: runSeedSchema,
    input: corpusSchema,
    /** Process at most this many documents (after rejects). */
    limit: z.number().int().min(1).optional(),
    prior: priorSchema,
    edit: edit.default({}),
    synthetic: syntheticSchema.default({}),
    audit: auditSchema.default({}),
    /** Also write per-token scores (scores.jsonl). */
    writeScores: z.boolean().default(false),
    output: z
      .object({
        dir: z.string().min(1).optional(),
        /** Format of the corpora written (edited, synthetic); edits, scores and rejects stay JSONL. */
        format: z.enum(OUTPUT_FORMATS).default('jsonl'),
        /** Split each corpus into files of at most this many records: edited-00000-of-00003.parquet, … */
        shardRecords: z.number().int().min(1).optional(),
        /** Rows per Parquet row group (a reader holds one row group at a time). */
        rowGroupRecords: z.number().int().min(1).default(10_000),
      })
      .strict()
      .default({}),
    /** Save a checkpoint (for --resume) after this many seconds or documents, whichever comes first. */
    checkpoint: z
      .object({
        everySeconds: z.number().gt(0).default(60),
        everyDocuments: z.number().int().min(1).nullable().default(null),
      })
      .strict()
      .default({}),
    batchSize: scoringBatchSchema,
    concurrency: z.number().int().min(1).max(64).default(2),
  })
  .strict();

/** A validated pipeline, every default filled in. */
export type PipelineConfig = z.infer<typeof pipelineSchema>;
export type PipelineInput = z.input<typeof pipelineSchema>;

/** The selection of a pipeline whose threshold is calibrated, for the code that runs only then. */
export function calibratedSelection(config: PipelineConfig): CalibratedSelection {
  const selection = config.edit.selection;
  if (selection.mode === 'absolute') throw new TailguardError('internal', 'a calibration was asked of a pipeline with an absolute threshold');
  return selection;
}

/** Validate a parsed pipeline; errors name each offending key, what was expected and the value given. */
export function parsePipeline(value: unknown, source = 'pipeline'): PipelineConfig {
  return parseConfig(pipelineSchema, value, source, 'pipeline');
}

/**
 * Read and validate a pipeline file. A relative path that names no file under the working
 * directory falls back to the pipelines shipped with Tailguard (`pipelines/toedit-ngram.json`
 * works from any folder once the package is installed).
 */
export function loadPipeline(given: string): Promise<PipelineConfig> {
  return loadConfig(resolveResource(given), parsePipeline, 'pipeline');
}
