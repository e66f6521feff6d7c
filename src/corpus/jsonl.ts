import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { byteLines } from './byte-lines.js';
import type { ReadItem, Reject } from './document.js';
import { compressionOf, openBytes } from './open-bytes.js';
import { type FieldMap, idDespiteBadBytes, recordToItem } from './record.js';
import { bytesPath } from './spool.js';
import { bomLength, firstInvalidUtf8 } from './utf8.js';

/** A newline-aligned part of a JSONL file: bytes [start, end), whose first line is number `line`. */
export interface ByteRange {
  start: number;
  end: number;
  line: number;
}

/** Longest record read by default: far below V8's string limit, far above any real document. */
export const DEFAULT_MAX_RECORD_BYTES = 256 * 1024 * 1024;

/**
 * Stream a JSONL file (gzip- or zstd-compressed when it ends in `.gz` or `.zst`) line by line. A line that is not
 * valid UTF-8, not valid JSON, not an object, has no string text, or is longer than
 * `maxRecordBytes` becomes a reject naming the file, line and byte offset; reading goes on. A
 * truncated or corrupt compressed stream ends the file with one reject saying where. Blank lines are not
 * records and are skipped; CRLF line ends and a leading byte-order mark are accepted. Documents without
 * an id get `<label>:<line>` (the file name by default). `range` reads only the lines of an
 * uncompressed file's newline-aligned byte range [start, end), numbered from `line` (a shard).
 */
export async function* readJsonl(file: string, fields: FieldMap, maxRecordBytes = DEFAULT_MAX_RECORD_BYTES, label = basename(file), range?: ByteRange): AsyncGenerator<ReadItem> {
  const reject = (r: Omit<Reject, 'file'>): ReadItem => ({ ok: false, reject: { file, ...r } });
  const source = range ? createReadStream(bytesPath(file), { start: range.start, end: range.end - 1 }) : openBytes(file);
  for await (const l of byteLines(source, maxRecordBytes, range && { line: range.line, offset: range.start })) {
    const { line, offset } = l;
    if ('error' in l) {
      const compression = compressionOf(file);
      const what = compression ? `${compression} stream is truncated or corrupt` : 'file could not be read to the end';
      yield reject({ line, offset, kind: 'truncated', reason: `${what} (${l.error.message}) at line ${line}; the rest of the file is unreadable` });
      return;
    }
    if (l.bytes === undefined) {
      yield reject({ line, offset, kind: 'record-too-long', reason: `line is ${l.length} bytes, longer than the limit of ${maxRecordBytes} (input.maxRecordBytes)` });
      continue;
    }
    const bytes = offset === 0 ? l.bytes.subarray(bomLength(l.bytes)) : l.bytes;
    const bad = firstInvalidUtf8(bytes);
    if (bad >= 0) {
      const at = offset + (l.bytes.length - bytes.length) + bad;
      const id = idDespiteBadBytes(bytes.toString('utf8'), fields.idField, `${label}:${line}`);
      yield reject({ line, offset: at, id, kind: 'invalid-utf8', reason: `invalid UTF-8 at byte ${at} (0x${bytes[bad].toString(16).padStart(2, '0')})` });
      continue;
    }
    const text = bytes.toString('utf8');
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      yield reject({ line, offset, kind: 'malformed-json', reason: `malformed JSON: ${(e as Error).message}` });
      continue;
    }
    yield recordToItem(value, fields, { file, line, offset, fallbackId: `${label}:${line}` });
  }
}
