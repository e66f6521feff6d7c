import test from 'ava';
import { join } from 'node:path';
import { parsePipeline, runLocal, runPipeline } from '../src/index.js';
import { snapshot } from './helpers/run-folder.js';
import { shardCorpus } from './helpers/shard-corpus.js';
import { tempDir } from './helpers/temp-dir.js';

// The shard tests run the n-gram prior; this one runs the shipped neural model through the local
// executor. Tasks batch other documents together than one run does, so it holds only because the
// model's scores do not depend on what shares a batch (transformers-prior tests check that alone).
test('neural prior: world size 3 on the default workers gives the single-machine run folder byte for byte, on one worker', async (t) => {
  const dir = await tempDir(t, 'shards-neural');
  const { pipeline } = await shardCorpus(dir);
  const config = parsePipeline({ ...pipeline, name: 'shards-neural', prior: { type: 'transformers', model: 'models/brown-gpt-5m', batchSize: 4 } });
  const ref = join(dir, 'single');
  await runPipeline(config, { out: ref, progress: false, log: () => {} });
  const lines: string[] = [];
  const sharded = join(dir, 'ws3');
  await runLocal(config, { out: sharded, worldSize: 3, log: (m) => lines.push(m) });
  t.deepEqual(await snapshot(sharded), await snapshot(ref));
  // onnxruntime already uses every core: without --workers a neural run takes one worker process.
  t.true(lines.includes('running 3 tasks on 1 worker process'), lines.join('\n'));
});
