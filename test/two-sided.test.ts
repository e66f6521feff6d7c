import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parsePipeline, readBrown, runPipeline, TransformersPrior } from '../src/index.js';
import { resampleOptions } from '../src/edit/config.js';
import { DocumentEditor } from '../src/edit/document-editor.js';
import { candidateWindow, fullConditional, lookaheadOf, windowByWindow } from '../src/edit/two-sided.js';
import { loadHuggingfacePrior } from '../src/prior/huggingface/index.js';
import { brownPrior } from './helpers/brown-prior.js';
import { tempDir } from './helpers/temp-dir.js';

const prior = await brownPrior();
const doc = (await readBrown('heldout').next()).value!;

test('n-gram prior: the two-sided weights are the exact full conditional (ratios of whole-document probabilities)', async (t) => {
  const text = doc.text.slice(0, 3000);
  const tokens = prior.tokenize(text);
  const [scores] = await prior.score([tokens], { topK: 8 });
  const editor = new DocumentEditor(text, tokens, scores, prior, resampleOptions({ topK: 8, beta: 1.5, excludeOriginal: false }, 0));
  const m = lookaheadOf(prior, null);
  t.is(m, 2, 'a trigram reads the next n - 1 = 2 tokens');
  let checked = 0;
  for (const i of [5, 40, 111, 230, 400].filter((i) => i < tokens.ids.length - 3)) {
    const set = editor.candidates(i);
    if (set.n < 2) continue;
    const logits = await fullConditional(prior, tokens.ids, i, set, m);
    // The joint probability of the whole document with c in place, scored independently.
    const joint = await prior.score(
      Array.from(set.ids.subarray(0, set.n), (c) => {
        const ids = Int32Array.from(tokens.ids);
        ids[i] = c;
        return { ...tokens, ids };
      }),
      { topK: 0, entropy: false },
    );
    const total = joint.map((s) => s.logProb.reduce((a, b) => a + b, 0));
    for (let c = 1; c < set.n; c++) {
      t.true(Math.abs(logits[c] - logits[0] - (total[c] - total[0])) < 1e-3, `position ${i}, candidate ${c}: ${logits[c] - logits[0]} vs ${total[c] - total[0]}`);
      checked++;
    }
  }
  t.true(checked >= 10, `${checked} candidates checked`);
});

test('two-sided editing is deterministic by seed and independent of batch size', async (t) => {
  const dir = await tempDir(t, 'two-sided');
  const config = (batchSize: number) =>
    parsePipeline({ name: 'two-sided', input: { format: 'brown', split: 'heldout' }, limit: 4, prior: { type: 'ngram' }, batchSize, audit: { enabled: false }, synthetic: { enabled: false }, edit: { selection: { mode: 'calibrated', targetShare: 0.125 }, context: 'two-sided' } });
  const a = await runPipeline(config(4), { out: join(dir, 'a'), prior, progress: false });
  await runPipeline(config(1), { out: join(dir, 'b'), prior, progress: false });
  t.true(a.summary.changed > 0);
  t.is(await readFile(join(dir, 'a', 'edited.jsonl'), 'utf8'), await readFile(join(dir, 'b', 'edited.jsonl'), 'utf8'));
});

test('neural prior: the two-sided weights add the lookahead tokens\u2019 log-probabilities to the left-context ones', async (t) => {
  const neural = await TransformersPrior.load({ model: 'models/brown-gpt-5m' });
  try {
    const text = doc.text.slice(0, 600);
    const tokens = neural.tokenize(text);
    const [scores] = await neural.score([tokens], { topK: 8 });
    const editor = new DocumentEditor(text, tokens, scores, neural, resampleOptions({ topK: 8, beta: 1.5, excludeOriginal: false }, 0));
    const i = 20;
    const set = editor.candidates(i);
    const left = await fullConditional(neural, tokens.ids, i, set, 0);
    const both = await fullConditional(neural, tokens.ids, i, set, 4);
    // Without lookahead the weights are the left-context log-probabilities (up to the window the prior sees).
    for (let c = 0; c < set.n; c++) t.true(Math.abs(left[c] - set.logProbs[c]) < 0.05, `candidate ${c}: ${left[c]} vs ${set.logProbs[c]}`);
    t.true(Array.from(both.subarray(0, set.n)).every((x, c) => x < left[c]), 'each lookahead token costs probability');
    const original = set.original;
    t.true(original >= 0 && both[original] - left[original] > Math.min(...Array.from(both.subarray(0, set.n), (x, c) => x - left[c])), 'the original fits its right context better than the worst candidate');
  } finally {
    await neural.dispose();
  }
});

/**
 * The cached weights against one scored window per candidate, and batched against alone: for the
 * shipped model on both backends, a legacy GPT-2 graph (no position_ids: one window per pass) and
 * a rotary, grouped-query Llama graph.
 */
const sharedCacheMatchesWindows = test.macro(async (t, load: () => Promise<TransformersPrior>) => {
  const neural = await load();
  try {
    const text = doc.text.slice(0, 3000);
    const tokens = neural.tokenize(text);
    const [scores] = await neural.score([tokens], { topK: 8 });
    const editor = new DocumentEditor(text, tokens, scores, neural, resampleOptions({ topK: 8, beta: 1.5, excludeOriginal: false }, 0));
    // Near the start (short history), in the middle, and at the end (short lookahead): unequal padding in one batch.
    const n = tokens.ids.length;
    const windows = [3, 30, 200, 450, n - 3, n - 1].map((i) => candidateWindow(neural, tokens.ids, i, editor.candidates(i), 4)).filter((w) => w.candidates.length > 0);
    const together = await neural.weighCandidates(windows);
    const alone = await Promise.all(windows.map((w) => neural.weighCandidates([w])));
    let checked = 0;
    for (const [q, w] of windows.entries()) {
      const reference = await windowByWindow(neural, w);
      for (let c = 0; c < w.candidates.length; c++, checked++) {
        t.true(Math.abs(together[q][c] - reference[c]) < 1e-3, `window ${q}, candidate ${c}: ${together[q][c]} vs ${reference[c]}`);
        t.true(Math.abs(together[q][c] - alone[q][0][c]) < 1e-4, `window ${q}, candidate ${c}: batched ${together[q][c]} vs alone ${alone[q][0][c]}`);
      }
    }
    t.true(checked >= 20, `${checked} candidates checked`);
  } finally {
    await neural.dispose();
  }
});

test('neural prior: the weights over a shared cache equal one scored window per candidate, whatever shares the batch', sharedCacheMatchesWindows, () =>
  TransformersPrior.load({ model: 'models/brown-gpt-5m', batchSize: 2 }));
test('the same through the huggingface backend', sharedCacheMatchesWindows, () => loadHuggingfacePrior({ model: 'models/brown-gpt-5m', batchSize: 2 }));
test('the same for a legacy GPT-2 graph whose positions padding would shift', sharedCacheMatchesWindows, () =>
  TransformersPrior.load({ model: 'test/fixtures/models/gpt2-merged', batchSize: 2 }));
test('the same for a rotary, grouped-query Llama graph', sharedCacheMatchesWindows, () => TransformersPrior.load({ model: 'test/fixtures/models/llama', batchSize: 2 }));
