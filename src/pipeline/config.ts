import { z } from 'zod';
import { loadConfig, parseConfig } from '../config-file.js';
import { GATE_CHECKS, type GateCheckName } from '../audit/gate.js';
import { FILE_FORMATS, type FileFormat } from '../corpus/formats.js';
import { OUTPUT_FORMATS } from '../corpus/output-format.js';
import { TailguardError } from '../errors.js';
import { resolveResource } from './package-resource.js';

const corpus = z.discriminatedUnion('format', [
  z.object({ format: z.literal('brown'), split: z.enum(['train', 'heldout', 'all']).default('heldout') }).strict(),
  z
    .object({
      format: z.literal('jsonl'),
      /** A .jsonl file, or .jsonl.gz (gzip). */
      path: z.string().min(1),
      textField: z.string().default('text'),
      idField: z.string().default('id'),
      /** Longer lines are rejected without being held in memory (default 256 MiB). */
      maxRecordBytes: z.number().int().min(1024).optional(),
    })
    .strict(),
  z.object({ format: z.literal('json'), path: z.string().min(1), textField: z.string().default('text'), idField: z.string().default('id') }).strict(),
  /** A Parquet file, read one row group at a time. */
  z.object({ format: z.literal('parquet'), path: z.string().min(1), textField: z.string().default('text'), idField: z.string().default('id') }).strict(),
  z.object({ format: z.literal('text'), path: z.string().min(1) }).strict(),
  z
    .object({
      format: z.literal('files'),
      /** A file, a folder (a Hugging Face dataset folder, mixed files) or a glob such as "data/train-*.parquet". */
      path: z.string().min(1),
      textField: z.string().default('text'),
      idField: z.string().default('id'),
      maxRecordBytes: z.number().int().min(1024).optional(),
      /** Keep one Hugging Face split: files named "<split>-*" or "<split>.*", or in a folder "<split>". */
      split: z.string().min(1).optional(),
      /** Read every file as this format instead of going by its extension. */
      fileFormat: z.enum(FILE_FORMATS as [FileFormat, ...FileFormat[]]).optional(),
    })
    .strict(),
]);

const ngramPrior = z
  .object({
    type: z.literal('ngram'),
    order: z.number().int().min(1).max(6).default(3),
    minCount: z.number().int().min(1).default(2),
    /** Training corpus; must not overlap the input (cross-fitting, BRIEF §3.9). */
    train: corpus.default({ format: 'brown', split: 'train' }),
    /** Where the trained model is cached; retrained when missing or made with other settings. */
    file: z.string().min(1).default('.cache/ngram/brown-train.tgkn.gz'),
  })
  .strict();

const transformersPrior = z
  .object({
    type: z.literal('transformers'),
    /** A local model folder in transformers.js layout, or a hub id when allowRemote is true. */
    model: z.string().min(1),
    allowRemote: z.boolean().default(false),
    quantized: z.boolean().default(false),
    /** Windows per forward pass. */
    batchSize: z.number().int().min(1).max(256).default(16),
    windowStride: z.number().int().min(1).optional(),
  })
  .strict();

const selection = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('absolute'), p: z.number().gt(0).max(1).default(0.99) }).strict(),
  z
    .object({
      mode: z.literal('calibrated'),
      targetShare: z.number().gt(0).lt(1).default(0.125),
      /** Probabilities of at most this many tokens (from the first documents) set the threshold. */
      maxTokens: z.number().int().min(1000).default(10_000_000),
    })
    .strict(),
]);

const edit = z
  .object({
    enabled: z.boolean().default(true),
    selection: selection.default({ mode: 'absolute', p: 0.99 }),
    topK: z.number().int().min(1).max(1000).default(8),
    beta: z.number().gt(0).default(1.5),
    excludeOriginal: z.boolean().default(false),
    deleteBelow: z.number().gt(0).lt(1).nullable().default(null),
    /** Let whitespace-only tokens (paragraph breaks under byte-level BPE) be selected and drawn. */
    editWhitespace: z.boolean().default(false),
    /** Warn when fewer than this share of tokens are selected. */
    warnBelowShare: z.number().min(0).max(1).default(0.01),
  })
  .strict();

const synthetic = z
  .object({
    enabled: z.boolean().default(true),
    promptTokens: z.number().int().min(1).default(32),
    temperature: z.number().min(0).default(1),
    topK: z.number().int().min(0).default(0),
    topP: z.number().gt(0).max(1).default(1),
  })
  .strict();

/** Upper bounds on the drift of one view from the human reference (see src/audit/gate.ts). */
const gateThresholds = z
  .object(Object.fromEntries(Object.keys(GATE_CHECKS).map((k) => [k, z.number().min(0).optional()])) as Record<GateCheckName, z.ZodOptional<z.ZodNumber>>)
  .strict();

const audit = z
  .object({
    enabled: z.boolean().default(true),
    /** Score the edited and synthetic views with the prior too (perplexity, rank buckets). */
    scoreViews: z.boolean().default(true),
    /** Distinct n-grams kept exactly per order before rare ones are pruned. */
    ngramBudget: z.number().int().min(1000).default(4_000_000),
    gate: z.object({ edited: gateThresholds.default({}), synthetic: gateThresholds.default({}) }).strict().default({}),
  })
  .strict();

export const pipelineSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only'),
    description: z.string().optional(),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
    input: corpus,
    /** Process at most this many documents (after rejects). */
    limit: z.number().int().min(1).optional(),
    prior: z.discriminatedUnion('type', [ngramPrior, transformersPrior]),
    edit: edit.default({}),
    synthetic: synthetic.default({}),
    audit: audit.default({}),
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
    batchSize: z.number().int().min(1).max(1024).default(8),
    concurrency: z.number().int().min(1).max(64).default(2),
  })
  .strict();

/** A validated pipeline, every default filled in. */
export type PipelineConfig = z.infer<typeof pipelineSchema>;
export type PipelineInput = z.input<typeof pipelineSchema>;
export type PriorConfig = PipelineConfig['prior'];
export type CalibratedSelection = Extract<PipelineConfig['edit']['selection'], { mode: 'calibrated' }>;

/** The selection of a pipeline whose threshold is calibrated, for the code that runs only then. */
export function calibratedSelection(config: PipelineConfig): CalibratedSelection {
  const selection = config.edit.selection;
  if (selection.mode !== 'calibrated') throw new TailguardError('internal', 'a calibration was asked of a pipeline with an absolute threshold');
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
