/** How one file is read. */
export type FileFormat = 'jsonl' | 'json' | 'parquet' | 'text';

export const FILE_FORMATS: readonly FileFormat[] = ['jsonl', 'json', 'parquet', 'text'];

/**
 * A file's format from its extension, after a `.gz` or `.zst` suffix: `.jsonl` (and `.ndjson`),
 * `.json`, `.parquet`, `.txt`. Undefined for any other name.
 */
export function formatFromPath(path: string): FileFormat | undefined {
  const name = path.toLowerCase().replace(/\.(gz|zst)$/, '');
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl';
  if (name.endsWith('.json')) return 'json';
  // Parquet compresses inside the file, by column chunk: a .parquet.gz is not a Parquet file.
  if (name.endsWith('.parquet') && name === path.toLowerCase()) return 'parquet';
  if (name.endsWith('.txt') && name === path.toLowerCase()) return 'text';
  return undefined;
}
