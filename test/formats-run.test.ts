import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openRecordWriter, parsePipeline, readBrown, readCorpus, runPipeline } from '../src/index.js';
import { onFaultPoint } from '../src/run-io/fault-point.js';
import { brownPrior, collect } from './helpers/brown-prior.js';
import { newTempDir, removeTempDir } from './helpers/temp-dir.js';

const dir = await newTempDir('formats-run');
const prior = await brownPrior();

// The input: 8 held-out Brown documents as a Hugging Face dataset folder of two Parquet shards.
const input = join(dir, 'dataset');
await mkdir(join(input, 'data'), { recursive: true });
const brown = (await collect(readBrown('heldout'))).slice(0, 8);
for (const [i, part] of [brown.slice(0, 5), brown.slice(5)].entries()) {
  const w = openRecordWriter(join(input, 'data', `train-0000${i}-of-00002.jsonl`), { format: 'parquet', rowGroupRecords: 2 });
  for (const d of part) await w.write({ id: d.id, text: d.text, meta: d.meta });
  await w.close();
}

const config = parsePipeline({
  name: 'formats',
  input: { format: 'files', path: input, split: 'train' },
  prior: { type: 'ngram', file: '.cache/test/brown-train-3gram.tgkn.gz' },
  edit: { selection: { mode: 'absolute', p: 0.3 } },
  synthetic: { promptTokens: 16 },
  audit: { enabled: false },
  output: { format: 'parquet', shardRecords: 3, rowGroupRecords: 2 },
  checkpoint: { everyDocuments: 1 },
  batchSize: 1,
  concurrency: 1,
});
const quiet = { prior, progress: false, log: () => {} };
const dataFiles = async (out: string) => (await readdir(out)).filter((f) => /\.(parquet|jsonl)$/.test(f)).sort();

test.after.always(() => removeTempDir(dir));

test('a run reads Parquet shards and writes Parquet shards with ids and metadata; stopped and resumed, it gives the same files byte for byte', async (t) => {
  const whole = join(dir, 'whole');
  const { manifest } = await runPipeline(config, { ...quiet, out: whole });
  const names = ['edited-00000-of-00003.parquet', 'edited-00001-of-00003.parquet', 'edited-00002-of-00003.parquet'];
  t.deepEqual(await dataFiles(whole), [...names, 'edits.jsonl', 'rejects.jsonl', ...names.map((n) => n.replace('edited', 'synthetic'))]);
  t.deepEqual((manifest.files as Record<string, { files?: string[] }>).edited.files, names);
  const edited = (await collect(readCorpus({ format: 'files', path: join(whole, 'edited-*.parquet'), textField: 'text', idField: 'id' }))).flatMap((i) => (i.ok ? [i.doc] : []));
  t.deepEqual(edited.map((d) => d.id), brown.map((d) => d.id), 'ids in input order');
  t.deepEqual(edited.map((d) => d.meta.genre), brown.map((d) => d.meta.genre), 'the input metadata is kept');
  t.true(edited.every((d) => typeof (d.meta.tailguard as { changed: number }).changed === 'number'), 'with the edit counts');

  const resumed = join(dir, 'resumed');
  const controller = new AbortController();
  // Stopped once its first checkpoint is saved, as Ctrl-C there would.
  let removeHook = onFaultPoint((point) => void (point === 'checkpoint:1' && controller.abort('SIGINT')));
  await t.throwsAsync(runPipeline(config, { ...quiet, out: resumed, signal: controller.signal }), { message: /interrupted by SIGINT/ });
  removeHook();
  t.deepEqual(await dataFiles(resumed), [], 'stopped: only staging files, no Parquet under a final name');
  t.true(existsSync(join(resumed, 'edited.jsonl.partial')));
  // Resumed, then crashed in its finish once the edited Parquet shards are written: the staging file stays for the next resume.
  removeHook = onFaultPoint((point) => {
    if (point === 'close:edited.jsonl') throw new Error('a crash in the finish');
  });
  await t.throwsAsync(runPipeline(config, { ...quiet, out: resumed, resume: true }), { message: 'a crash in the finish' });
  removeHook();
  t.true(existsSync(join(resumed, 'edited-00000-of-00003.parquet')) && existsSync(join(resumed, 'edited.jsonl.partial')));
  t.false(existsSync(join(resumed, 'manifest.json')));
  await runPipeline(config, { ...quiet, out: resumed, resume: true });
  t.deepEqual(await dataFiles(resumed), await dataFiles(whole));
  for (const f of await dataFiles(whole)) t.deepEqual(await readFile(join(resumed, f)), await readFile(join(whole, f)), f);
  t.false(existsSync(join(resumed, 'edited.jsonl.partial')), 'the staging file is gone');
});
