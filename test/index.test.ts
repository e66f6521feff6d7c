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
  // The shipped n-gram pipeline calibrates p to change an expected 1% of tokens.
  t.is(config.edit.selection.mode, 'changed-share');
  t.true(Math.abs(summary.changedShare - 0.01) < 0.005, `changed ${summary.changedShare}`);
  t.true(summary.selectedShare > summary.changedShare);
  t.is(report?.gate.status, 'passed');
});
