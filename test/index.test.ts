import test from 'ava';
import { join } from 'node:path';
import * as api from '../src/index.js';
import { tempDir } from './helpers/temp-dir.js';

test('the public API exports what the README and the CLI rely on', (t) => {
  for (const name of ['loadPipeline', 'parsePipeline', 'runPipeline', 'auditCorpora', 'readCorpus', 'readBrown', 'NGramPrior', 'TransformersPrior', 'resampleDocument', 'applyEdits', 'calibrateThreshold', 'generateContinuations', 'CorpusStats', 'compareViews', 'evaluateGate', 'TailguardError', 'rngFor', 'runSimulation', 'loadSimulation', 'openRecordWriter', 'listCorpusFiles', 'checkCorpus', 'runLocal', 'runOneTask', 'mergeShards', 'splitCorpus']) {
    t.truthy((api as Record<string, unknown>)[name], name);
  }
});

test('the library example of docs/library.md runs', async (t) => {
  const out = join(await tempDir(t, 'api'), 'mine');
  const config = await api.loadPipeline('pipelines/toedit-ngram.json');
  const { summary, report } = await api.runPipeline(config, { out, limit: 5, progress: false });
  t.is(summary.documents.written, 5);
  t.true(summary.selectedShare > 0.1);
  t.true(report?.gate.passed);
});
