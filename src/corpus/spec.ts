import { z } from 'zod';
import { FILE_FORMATS, type FileFormat } from './formats.js';

/**
 * Where a corpus comes from: the one schema of a corpus, used by pipeline files, comparisons,
 * detection settings and the n-gram prior's training corpus alike. Serialisable: it lives in
 * configuration files and manifests. `jsonl` and `json` files may be `.gz` or `.zst` compressed.
 * `files` is a file, a folder (a Hugging Face dataset folder, or any mix of supported files) or a
 * glob, each file read by its extension unless `fileFormat` says otherwise; `split` keeps one
 * Hugging Face split (`train-*` files).
 */
/**
 * Where a file's records keep their text and id (fields of JSON records, columns of Parquet), and
 * how many of them may be rejected. `path` "-" is standard input (see spool.ts).
 */
const recordFile = {
  path: z.string().min(1),
  textField: z.string().default('text'),
  idField: z.string().default('id'),
  /** Stop with an input error when more than this share of a file's records is rejected (default 0.5, see reject-guard.ts). */
  maxRejectShare: z.number().min(0).max(1).optional(),
};

export const corpusSchema = z.discriminatedUnion('format', [
  z.object({ format: z.literal('brown'), split: z.enum(['train', 'heldout', 'all']).default('heldout') }).strict(),
  z
    .object({
      /** A .jsonl file, or .jsonl.gz / .jsonl.zst. */
      format: z.literal('jsonl'),
      ...recordFile,
      /** Longer lines are rejected without being held in memory (default 256 MiB). */
      maxRecordBytes: z.number().int().min(1024).optional(),
    })
    .strict(),
  z.object({ format: z.literal('json'), ...recordFile }).strict(),
  /** A Parquet file, read one row group at a time. */
  z.object({ format: z.literal('parquet'), ...recordFile }).strict(),
  z.object({ format: z.literal('text'), path: z.string().min(1) }).strict(),
  z
    .object({
      /** path: a file, a folder (a Hugging Face dataset folder, mixed files) or a glob such as "data/train-*.parquet". */
      format: z.literal('files'),
      ...recordFile,
      maxRecordBytes: z.number().int().min(1024).optional(),
      /** Keep one Hugging Face split: files named "<split>-*" or "<split>.*", or in a folder "<split>". */
      split: z.string().min(1).optional(),
      /** Read every file as this format instead of going by its extension. */
      fileFormat: z.enum(FILE_FORMATS as [FileFormat, ...FileFormat[]]).optional(),
    })
    .strict(),
]);

/** A validated corpus, every default filled in. */
export type CorpusSpec = z.infer<typeof corpusSchema>;
