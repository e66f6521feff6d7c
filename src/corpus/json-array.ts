import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { pipeline } from 'node:stream';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import type { ReadItem } from './document.js';
import { type FieldMap, recordToItem } from './record.js';

/**
 * Stream the records of a file holding one JSON array, with stream-json: one record in memory at
 * a time, whatever the file's size. `line` in rejects is the record's index in the array.
 * A syntax error ends the stream (nothing after it can be located): it becomes one reject
 * saying where reading stopped.
 */
export async function* readJsonArray(file: string, fields: FieldMap): AsyncGenerator<ReadItem> {
  const name = basename(file);
  const records = StreamArray.withParser();
  const source = createReadStream(file);
  let streamError: Error | undefined;
  pipeline(source, records, (err) => {
    if (err) streamError = err;
  });
  let index = -1;
  try {
    for await (const { key, value } of records as AsyncIterable<{ key: number; value: unknown }>) {
      index = key;
      yield recordToItem(value, fields, { file, line: key, fallbackId: `${name}:${key}` });
    }
  } catch (e) {
    streamError ??= e as Error;
  }
  if (streamError) {
    yield { ok: false, reject: { file, line: index + 1, reason: `malformed JSON array after record ${index}: ${streamError.message}; the rest of the file is unreadable` } };
  }
}
