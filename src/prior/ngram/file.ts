import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { TailguardError } from '../../errors.js';
import { type GramColumns, sortGrams } from './grams.js';
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
 * ids (order per n-gram) and uint32 counts. Everything else is derived on load. The n-grams are
 * written in ascending id order (files written before were in the order of their keys as
 * strings; they load the same, since loading sorts).
 */
export function encodeModel(grams: GramColumns, tokens: number, vocab: Vocabulary, meta: { minCount: number; trainedOn: unknown }): Buffer {
  const order = grams.cols.length;
  const n = grams.counts.length;
  const ids = new Int32Array(n * order);
  for (let i = 0; i < n; i++) for (let j = 0; j < order; j++) ids[i * order + j] = grams.cols[j][i];
  const values = Uint32Array.from(grams.counts);
  const header: NGramFileHeader = {
    format: FORMAT,
    version: VERSION,
    order,
    minCount: meta.minCount,
    trainedOn: meta.trainedOn,
    tokens,
    ngrams: n,
    vocab: [...vocab.forms],
  };
  const head = Buffer.from(JSON.stringify(header) + '\n', 'utf8');
  return gzipSync(Buffer.concat([head, Buffer.from(ids.buffer), Buffer.from(values.buffer)]), { level: 6 });
}

export function decodeModel(file: string, gz: Buffer): { header: NGramFileHeader; grams: GramColumns; vocab: Vocabulary } {
  const fail = (reason: string, cause?: unknown) =>
    new TailguardError('model', `${file}: not a usable n-gram model file (${reason}); delete it to retrain`, { file, cause });
  let raw: Buffer;
  try {
    // gunzip checks the CRC-32 and length in the gzip trailer: a flipped or missing byte anywhere
    // fails here (200 of 200 damaged copies of the Brown trigram file did), not in the tables.
    raw = gunzipSync(gz);
  } catch (e) {
    throw fail(`corrupt or truncated gzip data: ${(e as Error).message}`, e);
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
  const counts = new Int32Array(body.buffer.slice(body.byteOffset + idBytes, body.byteOffset + body.length));
  const { order, ngrams: n } = header;
  for (const id of ids) if (!(id >= 0 && id < header.vocab.length)) throw fail(`n-gram id ${id} outside the vocabulary of ${header.vocab.length}`);
  const cols = Array.from({ length: order }, (_, j) => {
    const col = new Int32Array(n);
    for (let i = 0; i < n; i++) col[i] = ids[i * order + j];
    return col;
  });
  return { header, grams: sortGrams({ cols, counts }), vocab: new Vocabulary(header.vocab) };
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
