import { basename } from 'node:path';
import { Transform, pipeline } from 'node:stream';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import type { ReadItem } from './document.js';
import { openBytes } from './open-bytes.js';
import { type FieldMap, recordToItem } from './record.js';
import { firstInvalidUtf8 } from './utf8.js';

/**
 * Stream the records of a file holding one JSON array (gzip- or zstd-compressed when it ends in `.gz` or `.zst`),
 * with stream-json: one record in memory at a time, whatever the file's size. `line` in rejects
 * is the record's index in the array. A syntax error, invalid UTF-8 or a truncated stream ends
 * the stream (nothing after it can be located): it becomes one reject saying where reading
 * stopped.
 */
export async function* readJsonArray(file: string, fields: FieldMap, label = basename(file)): AsyncGenerator<ReadItem> {
  const records = StreamArray.withParser();
  let streamError: Error | undefined;
  const utf8: { error?: Error } = {};
  pipeline(openBytes(file), strictUtf8(utf8), records, (err) => {
    if (err) streamError = err;
  });
  let index = -1;
  try {
    for await (const { key, value } of records as AsyncIterable<{ key: number; value: unknown }>) {
      index = key;
      yield recordToItem(value, fields, { file, line: key, fallbackId: `${label}:${key}` });
    }
  } catch (e) {
    streamError ??= e as Error;
  }
  streamError = utf8.error ?? streamError;
  if (streamError) {
    const code = String((streamError as NodeJS.ErrnoException).code ?? '');
    const kind = code === 'ERR_ENCODING_INVALID_ENCODED_DATA' ? 'invalid-utf8' : code.startsWith('Z_') ? 'truncated' : 'malformed-json';
    yield { ok: false, reject: { file, line: index + 1, kind, reason: `${kind === 'malformed-json' ? 'malformed JSON array' : 'JSON array unreadable'} after record ${index}: ${streamError.message}; the rest of the file is unreadable` } };
  }
}

/**
 * Pass UTF-8 bytes through up to the first invalid byte, then nothing more: the parser reads the
 * records before it and fails on the cut-off rest, and `failure` says why. (Node's own decoding
 * would turn bad bytes into U+FFFD silently.)
 */
function strictUtf8(failure: { error?: Error }): Transform {
  let carry: Buffer = Buffer.alloc(0);
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (failure.error) return done();
      const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const end = data.length - incompleteTail(data);
      carry = data.subarray(end);
      const body = data.subarray(0, end);
      const bad = firstInvalidUtf8(body);
      if (bad >= 0) {
        failure.error = Object.assign(new Error(`invalid UTF-8 at byte ${offset + bad}`), { code: 'ERR_ENCODING_INVALID_ENCODED_DATA' });
        return done(null, body.subarray(0, bad));
      }
      offset += end;
      done(null, body);
    },
    flush(done) {
      if (carry.length && !failure.error) failure.error = Object.assign(new Error(`invalid UTF-8 at byte ${offset}: the file ends inside a character`), { code: 'ERR_ENCODING_INVALID_ENCODED_DATA' });
      done();
    },
  });
}

/** Bytes at the end of `data` that begin a multi-byte character the next chunk completes. */
function incompleteTail(data: Buffer): number {
  for (let k = 1; k <= Math.min(3, data.length); k++) {
    const b = data[data.length - k];
    if (b < 0x80) return 0;
    if (b >= 0xc0) return (b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2) > k ? k : 0;
  }
  return 0;
}
