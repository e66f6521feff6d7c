/** Formats a corpus can be written in. */
export const OUTPUT_FORMATS = ['jsonl', 'jsonl.gz', 'parquet'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** How a corpus is laid out on disk: its format, and optionally shards of a fixed number of records. */
export interface OutputLayout {
  format: OutputFormat;
  shardRecords?: number;
  /** Rows per Parquet row group. */
  rowGroupRecords: number;
}

/**
 * The file names of a corpus `stem` ("edited") holding `records` records: `edited.parquet`, or
 * with shards `edited-00000-of-00003.parquet` … in the Hugging Face style, so a tool that globs
 * `edited-*` finds them in order. An empty corpus is one empty file, never none.
 */
export function outputNames(stem: string, layout: OutputLayout, records: number): string[] {
  if (layout.shardRecords === undefined) return [`${stem}.${layout.format}`];
  const shards = Math.max(1, Math.ceil(records / layout.shardRecords));
  const pad = (n: number) => String(n).padStart(5, '0');
  return Array.from({ length: shards }, (_, i) => `${stem}-${pad(i)}-of-${pad(shards)}.${layout.format}`);
}

/** Whether a layout is the plain single JSONL file, written in place and resumable byte by byte. */
export function isPlainJsonl(layout: OutputLayout): boolean {
  return layout.format === 'jsonl' && layout.shardRecords === undefined;
}
