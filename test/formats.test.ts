import test from 'ava';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import { type CorpusSpec, type Document, openRecordWriter, type OutputLayout, readCorpus, type ReadItem, TailguardError } from '../src/index.js';
import { collect } from './helpers/brown-prior.js';
import { newTempDir, removeTempDir } from './helpers/temp-dir.js';

const FIXTURE = 'test/fixtures/formats/corpus.jsonl';
const fields = { textField: 'text', idField: 'id' };
const dir = await newTempDir('formats');

const files = (path: string, extra: Partial<Extract<CorpusSpec, { format: 'files' }>> = {}): CorpusSpec => ({ format: 'files', path, ...fields, ...extra });
const docsOf = (items: ReadItem[]): Document[] => items.flatMap((i) => (i.ok ? [i.doc] : []));
const source = docsOf(await collect(readCorpus({ format: 'jsonl', path: FIXTURE, ...fields })));

/** Write documents as a run writes a corpus, in `layout`, into `out`; the names of the files written. */
async function write(out: string, docs: Document[], layout: OutputLayout): Promise<string[]> {
  await mkdir(out, { recursive: true });
  const writer = openRecordWriter(join(out, 'edited.jsonl'), layout);
  for (const d of docs) await writer.write({ id: d.id, text: d.text, meta: d.meta });
  await writer.close();
  return writer.outputs();
}

test.after.always(() => removeTempDir(dir));

test('the fixture holds every kind of value the formats must keep', (t) => {
  t.is(source.length, 30);
  t.is(source[7].id, '7', 'a numeric id');
  t.deepEqual(source[7].meta, { genre: 'news' }, 'a top-level field goes to meta');
  t.deepEqual(source[20].meta, { score: 0.125, none: null });
  t.true(source.some((d) => /🧪/.test(d.text) && /\u0301/.test(d.text)));
  t.true(source.some((d) => d.text.includes('\r\n')));
});

test('one corpus through JSONL, .jsonl.gz, .jsonl.zst and Parquet (several row groups) gives identical documents', async (t) => {
  const layouts: Record<string, OutputLayout> = {
    jsonl: { format: 'jsonl', rowGroupRecords: 8 },
    gz: { format: 'jsonl.gz', rowGroupRecords: 8 },
    parquet: { format: 'parquet', rowGroupRecords: 8 },
  };
  for (const [name, layout] of Object.entries(layouts)) {
    const out = join(dir, `round-${name}`);
    const written = await write(out, source, layout);
    t.deepEqual(written, [`edited.${layout.format}`]);
    t.deepEqual(await readdir(out), written, `${name}: no staging file is left`);
    const back = await collect(readCorpus(files(join(out, written[0]))));
    t.deepEqual(docsOf(back), source, name);
    t.true(back.every((i) => i.ok && i.where?.file === join(out, written[0])), `${name}: every document keeps its file`);
  }
  const gz = join(dir, 'round-gz', 'edited.jsonl.gz');
  t.is(gunzipSync(await readFile(gz)).toString(), await readFile(join(dir, 'round-jsonl', 'edited.jsonl'), 'utf8'), '.gz holds the JSONL bytes');
  const parquet = join(dir, 'round-parquet', 'edited.parquet');
  const metadata = await parquetMetadataAsync(await asyncBufferFromFile(parquet));
  t.deepEqual(metadata.row_groups.map((g) => Number(g.num_rows)), [8, 8, 8, 6]);
  const rows = (await collect(readCorpus({ format: 'parquet', path: parquet, ...fields }))).map((i) => (i.ok ? i.where?.line : -1));
  t.deepEqual(rows, [...Array(30).keys()], 'a Parquet document keeps its row index');
  // zstd: the fixture compressed with the zstd tool (19, one frame); Node 20 has no zstd encoder.
  t.deepEqual(docsOf(await collect(readCorpus(files(`${FIXTURE}.zst`)))), source, 'zst');
});

test('the same documents written twice give the same bytes in every format', async (t) => {
  for (const format of ['jsonl.gz', 'parquet'] as const) {
    const a = await write(join(dir, `det-a-${format}`), source, { format, rowGroupRecords: 8 });
    const b = await write(join(dir, `det-b-${format}`), source, { format, rowGroupRecords: 8 });
    t.deepEqual(await readFile(join(dir, `det-a-${format}`, a[0])), await readFile(join(dir, `det-b-${format}`, b[0])), format);
  }
});

test('shards: predictable names, the records in order, and an empty corpus is one empty shard', async (t) => {
  const out = join(dir, 'shards');
  const names = await write(out, source, { format: 'parquet', shardRecords: 12, rowGroupRecords: 5 });
  t.deepEqual(names, ['edited-00000-of-00003.parquet', 'edited-00001-of-00003.parquet', 'edited-00002-of-00003.parquet']);
  t.deepEqual((await readdir(out)).sort(), names);
  t.deepEqual(docsOf(await collect(readCorpus(files(out)))), source, 'the folder reads back in shard order');
  const gzNames = await write(join(dir, 'shards-gz'), source, { format: 'jsonl.gz', shardRecords: 10, rowGroupRecords: 5 });
  t.deepEqual(gzNames, ['edited-00000-of-00003.jsonl.gz', 'edited-00001-of-00003.jsonl.gz', 'edited-00002-of-00003.jsonl.gz']);
  t.deepEqual(docsOf(await collect(readCorpus(files(join(dir, 'shards-gz', 'edited-*.jsonl.gz'))))), source, 'a glob reads them in order');
  for (const format of ['jsonl.gz', 'parquet'] as const) {
    const empty = await write(join(dir, `empty-${format}`), [], { format, shardRecords: 10, rowGroupRecords: 5 });
    t.deepEqual(empty, [`edited-00000-of-00001.${format}`]);
    t.deepEqual(await collect(readCorpus(files(join(dir, `empty-${format}`, empty[0])))), [], `${format}: readable and empty`);
  }
});

test('a Hugging Face dataset folder: one split by name, or all shards, README and hidden files passed over', async (t) => {
  const ds = join(dir, 'hf-dataset');
  const data = join(ds, 'data');
  await write(join(dir, 'hf-train'), source.slice(0, 20), { format: 'parquet', shardRecords: 10, rowGroupRecords: 4 });
  await write(join(dir, 'hf-test'), source.slice(20), { format: 'parquet', rowGroupRecords: 4 });
  await mkdir(join(ds, '.cache'), { recursive: true });
  await mkdir(data, { recursive: true });
  await copyFile(join(dir, 'hf-train', 'edited-00000-of-00002.parquet'), join(data, 'train-00000-of-00002.parquet'));
  await copyFile(join(dir, 'hf-train', 'edited-00001-of-00002.parquet'), join(data, 'train-00001-of-00002.parquet'));
  await copyFile(join(dir, 'hf-test', 'edited.parquet'), join(data, 'test-00000-of-00001.parquet'));
  await writeFile(join(ds, 'README.md'), '---\nlicense: mit\n---\n');
  await writeFile(join(ds, '.cache', 'junk.jsonl'), 'not json\n');

  const train = await collect(readCorpus(files(ds, { split: 'train' })));
  t.deepEqual(docsOf(train), source.slice(0, 20));
  t.deepEqual(train.map((i) => i.ok && [i.where?.file.slice(ds.length + 1), i.where?.line]).slice(9, 11), [['data/train-00000-of-00002.parquet', 9], ['data/train-00001-of-00002.parquet', 0]], 'file and row of each document');
  t.deepEqual(docsOf(await collect(readCorpus(files(ds)))).map((d) => d.id), [...source.slice(20), ...source.slice(0, 20)].map((d) => d.id), 'all splits, in path order');
  t.deepEqual(docsOf(await collect(readCorpus(files(join(ds, 'data', 'train-*.parquet'))))), source.slice(0, 20), 'a glob');
  const none = await t.throwsAsync(collect(readCorpus(files(ds, { split: 'validation' }))), { instanceOf: TailguardError });
  t.regex(none!.message, /no data files of split "validation"/);
});

test('a folder of mixed files: each read by its extension, ids without one made from the path in the folder', async (t) => {
  const mixed = join(dir, 'mixed');
  await mkdir(join(mixed, 'sub'), { recursive: true });
  await copyFile(`${FIXTURE}.zst`, join(mixed, 'a.jsonl.zst'));
  await writeFile(join(mixed, 'b.json'), JSON.stringify([{ text: 'From a JSON array.' }]));
  await writeFile(join(mixed, 'c.txt'), 'A text file.');
  await writeFile(join(mixed, 'sub', 'd.jsonl'), '{"text": "No id here."}\n{"id": "x", "text": null}\n');
  await writeFile(join(mixed, 'notes.md'), '# not data');
  const items = await collect(readCorpus(files(mixed)));
  t.deepEqual(docsOf(items).slice(30).map((d) => [d.id, d.text]), [['b.json:0', 'From a JSON array.'], ['c.txt', 'A text file.'], ['sub/d.jsonl:1', 'No id here.']]);
  const rejects = items.flatMap((i) => (i.ok ? [] : [i.reject]));
  t.deepEqual(rejects.map((r) => [r.file, r.line, r.kind]), [[join(mixed, 'sub', 'd.jsonl'), 2, 'text-not-a-string']]);
  // The extension is overridable: the same .txt read as JSONL is a malformed record, its only one, so nothing is left to work on.
  const forced = await t.throwsAsync(collect(readCorpus(files(join(mixed, 'c.txt'), { fileFormat: 'jsonl' }))), { instanceOf: TailguardError });
  t.regex(forced!.message, /c\.txt: 1 of 1 records were rejected \(100%\).*mostly malformed-json \(1\), first \S+c\.txt:1: malformed JSON/);
});

test('a cut .zst ends in one truncated reject (here its only record: an input error naming it); a Parquet file without the text column is a configuration error naming the columns', async (t) => {
  const cut = join(dir, 'cut.jsonl.zst');
  const bytes = await readFile(`${FIXTURE}.zst`);
  await writeFile(cut, bytes.subarray(0, bytes.length - 40));
  // One zstd frame cut short decodes to nothing: the file's one record is the truncated reject.
  const unread = await t.throwsAsync(collect(readCorpus(files(cut))), { instanceOf: TailguardError });
  t.regex(unread!.message, /cut\.jsonl\.zst: 1 of 1 records were rejected \(100%\).*mostly truncated \(1\), first \S+:1: zstd stream is truncated or corrupt/);

  const [name] = await write(join(dir, 'columns'), source, { format: 'parquet', rowGroupRecords: 8 });
  const parquet = join(dir, 'columns', name);
  const error = await t.throwsAsync(collect(readCorpus({ format: 'parquet', path: parquet, textField: 'content', idField: 'id' })), { instanceOf: TailguardError });
  t.regex(error!.message, /no column "content" \(columns: id, text, meta\)/);
  const garbage = join(dir, 'garbage.parquet');
  await writeFile(garbage, 'PAR1 this is not a parquet file');
  const unreadable = await t.throwsAsync(collect(readCorpus(files(garbage))), { instanceOf: TailguardError });
  t.regex(unreadable!.message, /garbage\.parquet: 1 of 1 records were rejected \(100%\).*mostly truncated \(1\)/);
});
