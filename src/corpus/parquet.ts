import { basename } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { TailguardError } from '../errors.js';
import type { ReadItem } from './document.js';
import { type FieldMap, recordToItem } from './record.js';
import { bytesPath } from './spool.js';

/** How many row groups a Parquet file has, and their uncompressed sizes (to balance shards). */
export async function parquetRowGroups(file: string): Promise<number[]> {
  const metadata = await parquetMetadataAsync(await asyncBufferFromFile(bytesPath(file)));
  return metadata.row_groups.map((g) => Number(g.total_byte_size));
}

/**
 * Stream a Parquet file (a Hugging Face dataset shard, say) one row group at a time with
 * hyparquet: only the footer and the current row group's column chunks are in memory, whatever
 * the file's size. Every column but the text and id columns goes to meta (a JSON column such as
 * the `meta` Tailguard writes is merged into it). `line` in rejects is the 0-based row index. A
 * file whose footer or a row group cannot be decoded ends in one `truncated` reject saying where.
 * `groups` reads only row groups [from, to) (a shard); rows keep their index in the file.
 */
export async function* readParquet(file: string, fields: FieldMap, label = basename(file), groups?: { from: number; to: number }): AsyncGenerator<ReadItem> {
  const buffer = await asyncBufferFromFile(bytesPath(file));
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (e) {
    yield { ok: false, reject: { file, line: 0, kind: 'truncated', reason: `not a readable Parquet file (${(e as Error).message}); nothing could be read` } };
    return;
  }
  if (!fields.wholeRecords) mustHaveColumn(file, metadata, fields.textField);
  let rowStart = 0;
  for (const [index, group] of metadata.row_groups.entries()) {
    const rowEnd = rowStart + Number(group.num_rows);
    if (groups && (index < groups.from || index >= groups.to)) {
      rowStart = rowEnd;
      continue;
    }
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file: buffer, metadata, rowStart, rowEnd, compressors });
    } catch (e) {
      yield { ok: false, reject: { file, line: rowStart, kind: 'truncated', reason: `row group ${index} (rows ${rowStart}-${rowEnd - 1}) cannot be decoded (${(e as Error).message}); the rest of the file is unreadable` } };
      return;
    }
    for (const [i, row] of rows.entries()) {
      const line = rowStart + i;
      yield recordToItem(jsonSafe(row), fields, { file, line, fallbackId: `${label}:${line}` });
    }
    rowStart = rowEnd;
  }
}

function mustHaveColumn(file: string, metadata: FileMetaData, column: string): void {
  const root = metadata.schema[0];
  const names = metadata.schema.slice(1, 1 + (root.num_children ?? 0)).map((s) => s.name);
  // A missing text column is a setting to fix, not a property of each row: one clear error.
  if (!names.includes(column)) throw new TailguardError('config', `${file}: no column "${column}" (columns: ${names.join(', ')}); set the text field (input.textField or --text-field)`, { file });
}

/** INT64 columns decode to bigint, which JSON cannot hold: a safe integer becomes a number, a larger one a string. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : String(value);
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  }
  return value;
}
