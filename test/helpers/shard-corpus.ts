import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openRecordWriter, parsePipeline, readBrown, runPipeline } from '../../src/index.js';
import { brownPrior, collect, TEST_MODEL_FILE } from './brown-prior.js';
import { snapshot } from './run-folder.js';

/** Twelve held-out Brown documents cut to 2000 characters: small enough for many runs in one test. */
export const brown = (await collect(readBrown('heldout'))).slice(0, 12).map((d) => ({ ...d, text: d.text.slice(0, 2000) }));
export const record = (d: (typeof brown)[number]): string => JSON.stringify({ id: d.id, text: d.text, meta: d.meta });

/**
 * One folder with every kind of cut a sharded run makes: JSONL (byte ranges; a record without id
 * is named by its line), a JSON array (record ranges) and Parquet (row groups), with bad records
 * among them; and the pipeline (calibrated ToEdit, synthetic, Parquet output) that reads it.
 */
export async function shardCorpus(dir: string) {
  const corpus = join(dir, 'corpus');
  await mkdir(corpus);
  const jsonl = [...brown.slice(0, 4).map(record), '{"id": "broken', JSON.stringify({ text: brown[4].text }), '', '{"id": "empty", "text": " "}', record(brown[5])];
  await writeFile(join(corpus, 'a.jsonl'), jsonl.join('\n') + '\n');
  await writeFile(join(corpus, 'b.json'), `[${record(brown[6])}, 42, ${record(brown[7])}]`);
  const parquet = openRecordWriter(join(corpus, 'c.jsonl'), { format: 'parquet', rowGroupRecords: 1 });
  for (const d of brown.slice(8)) await parquet.write({ id: d.id, text: d.text, meta: d.meta });
  await parquet.close();
  return {
    corpus,
    pipeline: {
      name: 'shards',
      input: { format: 'files', path: corpus },
      prior: { type: 'ngram', file: TEST_MODEL_FILE },
      edit: { selection: { mode: 'calibrated', targetShare: 0.125 } },
      synthetic: { promptTokens: 16 },
      output: { format: 'parquet', shardRecords: 5, rowGroupRecords: 2 },
      checkpoint: { everyDocuments: 1 },
      batchSize: 2,
      concurrency: 2,
    },
  };
}

/**
 * `shardCorpus` in `dir` with its pipeline parsed, and the single-machine run of it with the
 * trigram prior in `dir`/single: `expected` is that run folder's snapshot, which every sharded run
 * of the corpus must give byte for byte.
 */
export async function shardReference(dir: string) {
  const prior = await brownPrior();
  const { pipeline, corpus } = await shardCorpus(dir);
  const config = parsePipeline(pipeline);
  const ref = join(dir, 'single');
  await runPipeline(config, { out: ref, prior, progress: false, log: () => {} });
  return { prior, pipeline, corpus, config, expected: await snapshot(ref) };
}
