import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { ReadItem } from './document.js';
import { type FieldMap, recordToItem } from './record.js';

/**
 * Stream a JSONL file line by line. A line that is not valid JSON, not an object, or has no
 * string text becomes a reject naming the file and line; reading goes on. Blank lines are not
 * records and are skipped. CRLF line ends are accepted.
 */
export async function* readJsonl(file: string, fields: FieldMap): AsyncGenerator<ReadItem> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  const name = basename(file);
  let line = 0;
  for await (const raw of lines) {
    line++;
    const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw; // a byte-order mark is not data
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      yield { ok: false, reject: { file, line, reason: `malformed JSON: ${(e as Error).message}` } };
      continue;
    }
    yield recordToItem(value, fields, { file, line, fallbackId: `${name}:${line}` });
  }
}
