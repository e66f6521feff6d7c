import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { TailguardError } from '../../errors.js';
import { NGramCounts } from './counts.js';
import { Vocabulary } from './vocabulary.js';

const FORMAT = 'tailguard-kneser-ney';
const VERSION = 1;

/** What the file says about how the model was made; compared on load so a stale cache is rebuilt. */
export interface NGramFileHeader {
  format: typeof FORMAT;
  version: number;
  order: number;
  minCount: number;
  /** Free-form description of the training corpus (the corpus spec). */
  trainedOn: unknown;
  tokens: number;
  ngrams: number;
  vocab: string[];
}

/**
 * Compact file: gzip of one JSON header line, then the top-order n-grams as little-endian int32
 * ids (order per n-gram) and uint32 counts. Everything else is derived on load.
 */
export function encodeModel(counts: NGramCounts, vocab: Vocabulary, meta: { minCount: number; trainedOn: unknown }): Buffer {
  const entries = [...counts.counts].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const ids = new Int32Array(entries.length * counts.order);
  const values = new Uint32Array(entries.length);
  entries.forEach(([key, c], i) => {
    key.split(',').forEach((id, j) => (ids[i * counts.order + j] = Number(id)));
    values[i] = c;
  });
  const header: NGramFileHeader = {
    format: FORMAT,
    version: VERSION,
    order: counts.order,
    minCount: meta.minCount,
    trainedOn: meta.trainedOn,
    tokens: counts.tokens,
    ngrams: entries.length,
    vocab: [...vocab.forms],
  };
  const head = Buffer.from(JSON.stringify(header) + '\n', 'utf8');
  return gzipSync(Buffer.concat([head, Buffer.from(ids.buffer), Buffer.from(values.buffer)]), { level: 6 });
}

export function decodeModel(file: string, gz: Buffer): { header: NGramFileHeader; counts: NGramCounts; vocab: Vocabulary } {
  const fail = (reason: string, cause?: unknown) =>
    new TailguardError('model', `${file}: not a usable n-gram model file (${reason}); delete it to retrain`, { file, cause });
  let raw: Buffer;
  try {
    raw = gunzipSync(gz);
  } catch (e) {
    throw fail('not gzip data', e);
  }
  const nl = raw.indexOf(0x0a);
  if (nl < 0) throw fail('no header');
  let header: NGramFileHeader;
  try {
    header = JSON.parse(raw.subarray(0, nl).toString('utf8'));
  } catch (e) {
    throw fail('header is not JSON', e);
  }
  if (header.format !== FORMAT || header.version !== VERSION) throw fail(`format ${header.format} v${header.version}`);
  const body = raw.subarray(nl + 1);
  const idBytes = header.ngrams * header.order * 4;
  if (body.length !== idBytes + header.ngrams * 4) throw fail(`body has ${body.length} bytes, expected ${idBytes + header.ngrams * 4}`);
  const ids = new Int32Array(body.buffer.slice(body.byteOffset, body.byteOffset + idBytes));
  const values = new Uint32Array(body.buffer.slice(body.byteOffset + idBytes, body.byteOffset + body.length));
  const counts = new NGramCounts(header.order);
  for (let i = 0; i < header.ngrams; i++) {
    counts.counts.set(Array.from(ids.subarray(i * header.order, (i + 1) * header.order)).join(','), values[i]);
  }
  counts.tokens = header.tokens;
  return { header, counts, vocab: new Vocabulary(header.vocab) };
}

export async function writeModelFile(path: string, bytes: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}

export async function readModelFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new TailguardError('model', `${path}: cannot read n-gram model file (${(e as NodeJS.ErrnoException).code ?? e})`, { file: path, cause: e });
  }
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
