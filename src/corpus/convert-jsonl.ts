import { createReadStream, createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PassThrough, type Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { SchemaElement } from 'hyparquet';
import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import { byteLines } from './byte-lines.js';
import { type OutputLayout, outputNames } from './output-format.js';

/**
 * Turn a finished JSONL file of `records` records into the files of `layout` in `dir`, named by
 * `outputNames(stem, …)`. Each file is written under `<name>.partial` and renamed when complete.
 * The result depends only on the JSONL bytes (gzip at a fixed level, Parquet columns in
 * first-seen order), so a resumed run that wrote the same JSONL gives the same files.
 */
export async function convertJsonl(source: string, dir: string, stem: string, layout: OutputLayout, records: number): Promise<string[]> {
  const names = outputNames(stem, layout, records);
  const perShard = layout.shardRecords ?? Math.max(records, 1);
  if (layout.format === 'parquet') await toParquet(source, dir, names, perShard, layout.rowGroupRecords);
  else await toJsonl(source, dir, names, perShard, layout.format === 'jsonl.gz');
  return names;
}

async function* lines(source: string): AsyncGenerator<Buffer> {
  // The source is our own JSONL: every line is a record, none longer than a string can be.
  for await (const l of byteLines(createReadStream(source), Number.MAX_SAFE_INTEGER)) {
    if ('error' in l) throw l.error;
    if (l.bytes!.length > 0) yield l.bytes!;
  }
}

async function toJsonl(source: string, dir: string, names: string[], perShard: number, gzip: boolean): Promise<void> {
  let shard = -1;
  let inShard = perShard;
  let out: { stream: Writable; done: Promise<void>; path: string } | undefined;
  const finish = async () => {
    if (!out) return;
    out.stream.end();
    await out.done;
    await rename(`${out.path}.partial`, out.path);
  };
  const open = () => {
    const path = join(dir, names[++shard]);
    const stream = gzip ? createGzip({ level: 6 }) : new PassThrough();
    out = { stream, path, done: pipeline(stream, createWriteStream(`${path}.partial`)) };
    inShard = 0;
  };
  for await (const line of lines(source)) {
    if (inShard === perShard) {
      await finish();
      open();
    }
    inShard++;
    if (!out!.stream.write(Buffer.concat([line, NEWLINE]))) await once(out!.stream, 'drain');
  }
  if (shard < 0) open();
  await finish();
}

const NEWLINE = Buffer.from('\n');

/** A column of the records: strings stay strings; anything else (objects, numbers, mixed) is a JSON column. */
interface Column {
  name: string;
  allStrings: boolean;
}

async function toParquet(source: string, dir: string, names: string[], perShard: number, rowGroup: number): Promise<void> {
  const columns = await columnsOf(source);
  const schema: SchemaElement[] = [
    { name: 'root', num_children: columns.length },
    ...columns.map((c): SchemaElement => ({ name: c.name, type: 'BYTE_ARRAY', converted_type: c.allStrings ? 'UTF8' : 'JSON', repetition_type: 'OPTIONAL' })),
  ];
  let shard = 0;
  let rows: Record<string, unknown>[] = [];
  let inShard = 0;
  let writer: ParquetWriter | undefined;
  const open = () => new ParquetWriter({ writer: fileWriter(`${join(dir, names[shard])}.partial`), schema, createdBy: 'tailguard' });
  const flushRows = async () => {
    writer ??= open();
    if (rows.length) await writer.write({ columnData: columns.map((c) => ({ name: c.name, data: rows.map((r) => r[c.name] ?? null) })), rowGroupSize: rowGroup });
    rows = [];
  };
  const finish = async () => {
    await flushRows();
    await writer!.finish();
    await rename(`${join(dir, names[shard])}.partial`, join(dir, names[shard]));
    writer = undefined;
  };
  for await (const line of lines(source)) {
    if (inShard === perShard) {
      await finish();
      shard++;
      inShard = 0;
    }
    rows.push(JSON.parse(line.toString('utf8')));
    inShard++;
    if (rows.length === rowGroup) await flushRows();
  }
  await finish();
}

async function columnsOf(source: string): Promise<Column[]> {
  const columns = new Map<string, Column>();
  for await (const line of lines(source)) {
    for (const [name, value] of Object.entries(JSON.parse(line.toString('utf8')) as Record<string, unknown>)) {
      const column = columns.get(name) ?? columns.set(name, { name, allStrings: true }).get(name)!;
      if (typeof value !== 'string' && value !== null && value !== undefined) column.allStrings = false;
    }
  }
  // An empty corpus still gets the columns of a document, so a reader finds the text column.
  if (columns.size === 0) for (const name of ['id', 'text']) columns.set(name, { name, allStrings: true });
  return [...columns.values()];
}
