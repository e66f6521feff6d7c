/**
 * Peak memory of reading a Parquet file of many row groups: Tailguard's reader (one row group at
 * a time) against reading the whole file at once with hyparquet, each in a fresh process, first
 * with Node's default heap, then with the old space capped at 32 MB (a third of the file): the
 * row-group reader must finish there, the whole-file read cannot. The
 * file (Brown words drawn by a seeded unigram sampler, so it compresses like text, not like
 * repeats) is made once under .cache/bench/. JSON goes to bench/results/parquet-memory.json.
 *
 *   node --import tsx bench/parquet-memory.ts [--docs N,N,…]   (default 40000,100000: 94 and 234 MB)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { readBrown } from '../src/corpus/brown.js';
import { openRecordWriter } from '../src/corpus/corpus-writer.js';
import { readCorpus } from '../src/corpus/read.js';
import { createRng } from '../src/random.js';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const ROW_GROUP = 2000;
const CAP_MB = 32;

/** In the child: read the file one way, print what it cost. */
async function measure(file: string, how: string): Promise<void> {
  const baseline = process.memoryUsage().rss;
  const start = performance.now();
  let docs = 0;
  let chars = 0;
  if (how === 'tailguard') {
    for await (const item of readCorpus({ format: 'parquet', path: file, textField: 'text', idField: 'id' })) {
      if (!item.ok) throw new Error(item.reject.reason);
      docs++;
      chars += item.doc.text.length;
    }
  } else {
    const buffer = await asyncBufferFromFile(file);
    const rows = await parquetReadObjects({ file: buffer, metadata: await parquetMetadataAsync(buffer), compressors });
    docs = rows.length;
    for (const r of rows) chars += (r.text as string).length;
  }
  const seconds = (performance.now() - start) / 1000;
  // maxRSS is in KiB: the high-water mark of the whole process, the baseline included.
  console.log(JSON.stringify({ docs, chars, seconds, baselineMB: baseline / 2 ** 20, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
}

/** Documents of about 600 words drawn from Brown's word frequencies: text-like bytes, made deterministically. */
async function makeFile(file: string, docs: number): Promise<void> {
  const words: string[] = [];
  for await (const d of readBrown('train')) words.push(...d.text.split(/\s+/).filter(Boolean));
  const rng = createRng(7);
  const staged = `${file}.tmp.jsonl`;
  const writer = openRecordWriter(staged, { format: 'parquet', rowGroupRecords: ROW_GROUP });
  for (let i = 0; i < docs; i++) {
    const n = 400 + Math.floor(rng.next() * 400);
    const text = Array.from({ length: n }, () => words[Math.floor(rng.next() * words.length)]).join(' ');
    await writer.write({ id: `doc-${i}`, text, meta: { n, shard: i % 7 } });
  }
  await writer.close();
  await rename(`${file}.tmp.parquet`, file);
}

if (arg('--read')) {
  await measure(arg('--read')!, arg('--how')!);
} else {
  const results = [];
  for (const docs of (arg('--docs') ?? '40000,100000').split(',').map(Number)) results.push(await bench(docs));
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/parquet-memory.json', JSON.stringify({ node: process.version, results }, null, 2) + '\n');
}

/** Make (once) and read a file of `docs` documents four ways; print the table. */
async function bench(docs: number) {
  mkdirSync('.cache/bench', { recursive: true });
  const file = `.cache/bench/parquet-memory-${docs}.parquet`;
  if (!existsSync(file)) await makeFile(file, docs);
  const size = statSync(file).size / 2 ** 20;
  const groups = (await parquetMetadataAsync(await asyncBufferFromFile(file))).row_groups.length;
  const child = (how: string, heapMB?: number) => {
    const flags = heapMB ? [`--max-old-space-size=${heapMB}`] : [];
    try {
      return { heapLimitMB: heapMB ?? null, ...JSON.parse(execFileSync(process.execPath, [...flags, '--import', 'tsx', 'bench/parquet-memory.ts', '--read', file, '--how', how], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) };
    } catch (e) {
      return { heapLimitMB: heapMB ?? null, failed: `killed by ${(e as { signal?: string }).signal ?? 'an error'} (out of memory)` };
    }
  };
  const rows = { tailguard: child('tailguard'), whole: child('whole'), tailguardCapped: child('tailguard', CAP_MB), wholeCapped: child('whole', CAP_MB) };
  const f = (x: number, d = 0) => x.toFixed(d);
  console.log(`\nParquet file: ${docs} documents, ${f(size, 1)} MB, ${groups} row groups of ${ROW_GROUP} rows\n`);
  console.log('| reader | heap limit | documents | seconds | peak RSS | RSS before reading | peak RSS - before |');
  console.log('|---|---|---|---|---|---|---|');
  const named = [
    ['Tailguard readCorpus (row group by row group)', rows.tailguard],
    ['hyparquet, whole file at once', rows.whole],
    ['Tailguard readCorpus (row group by row group)', rows.tailguardCapped],
    ['hyparquet, whole file at once', rows.wholeCapped],
  ] as const;
  for (const [name, r] of named) {
    const limit = r.heapLimitMB ? `${r.heapLimitMB} MB` : 'default';
    if ('failed' in r) console.log(`| ${name} | ${limit} | ${r.failed} | | | | |`);
    else console.log(`| ${name} | ${limit} | ${r.docs} | ${f(r.seconds, 1)} | ${f(r.peakRssMB)} MB | ${f(r.baselineMB)} MB | ${f(r.peakRssMB - r.baselineMB)} MB |`);
  }
  return { file: { docs, sizeMB: size, rowGroups: groups, rowsPerGroup: ROW_GROUP }, ...rows };
}
