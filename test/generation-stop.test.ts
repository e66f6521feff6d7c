import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Continuation, generateContinuations, parsePipeline, readBrown, resampleDocument, rngFor, runPipeline, type SyntheticOptions, TransformersPrior } from '../src/index.js';
import { resampleOptions } from '../src/edit/config.js';
import { newTempDir, removeTempDir } from './helpers/temp-dir.js';

// The shipped model was trained on Brown documents with <|endoftext|> between them, so it ends a
// document now and then after a sentence: a real end token, drawn by the real model, no forcing.
const MODEL = 'models/brown-gpt-5m';
const SEED = 1;
const DOCS = 8;
const OPTIONS: SyntheticOptions = { promptTokens: 32, temperature: 1, topK: 0, topP: 1, stopAtEnd: true };

const prior = await TransformersPrior.load({ model: MODEL });
const ends = new Set(prior.endIds);
// The first 2,000 characters of each held-out document (about 500 tokens: the cap stays short).
const docs: Array<{ id: string; text: string }> = [];
for await (const d of readBrown('heldout')) if (docs.length < DOCS) docs.push({ id: d.id, text: d.text.slice(0, 2000) });
const inputs = () => docs.map((d) => ({ text: d.text, tokens: prior.tokenize(d.text), rng: rngFor(SEED, 'synthetic', d.id) }));
const made = await generateContinuations(prior, inputs(), OPTIONS);
const root = await newTempDir('generation-stop');

test.after.always(async () => {
  await removeTempDir(root);
  await prior.dispose();
});

const cap = (i: number) => prior.tokenize(docs[i].text).ids.length - made[i].promptTokens;

test('the shipped model names its end token, and it is never emittable', (t) => {
  t.deepEqual(prior.endIds, prior.identity.details?.eosIds);
  t.false(Array.from(prior.tokenize('<|endoftext|>').ids).some((id) => ends.has(id)), 'text spelling it stays text');
  t.true(prior.endIds.length > 0);
  for (const id of prior.endIds) t.false(prior.isEmittable(id));
});

test('a continuation that draws the end token stops there, shorter than its cap; the others run to the cap', (t) => {
  const stopped = made.filter((m) => m.stoppedAtEnd);
  t.log(`${stopped.length} of ${made.length} continuations stopped at the end token`);
  t.true(stopped.length > 0, 'some continuation of this seed ends at <|endoftext|>');
  made.forEach((m, i) => {
    if (m.stoppedAtEnd) t.true(m.generatedTokens < cap(i), `${docs[i].id}: ${m.generatedTokens} of ${cap(i)}`);
    else t.is(m.generatedTokens, cap(i), docs[i].id);
    t.false(m.text.includes('<|endoftext|>'), `${docs[i].id}: end token written`);
  });
});

// Replayed alone, one draw at a time, with the document's own random stream: the draws before the
// stop are text, the draw at the stop is an end token, and the text is the batch's, so a row's
// stop depends neither on the batch nor on when its neighbours stop.
test('replayed alone, the stop falls exactly where the end token is drawn', async (t) => {
  const i = made.findIndex((m) => m.stoppedAtEnd);
  const doc = inputs()[i];
  const prompt = doc.tokens.ids.subarray(0, made[i].promptTokens);
  const session = await prior.beginDecoding([prompt], { endTokens: true });
  const drawn: number[] = [];
  try {
    for (;;) {
      const [dist] = await session.next();
      const id = dist.sample(doc.rng, OPTIONS);
      if (ends.has(id)) break;
      drawn.push(id);
      await session.push([id]);
    }
  } finally {
    await session.close();
  }
  t.is(drawn.length, made[i].generatedTokens);
  const head = doc.text.slice(0, doc.tokens.ends[prompt.length - 1]);
  t.is(head + prior.continuationText(prompt, Int32Array.from(drawn)), made[i].text);
});

test('stopAtEnd false (the default): every continuation runs to its cap', async (t) => {
  const full = await generateContinuations(prior, inputs(), { ...OPTIONS, stopAtEnd: false });
  full.forEach((m: Continuation, i) => {
    t.false(m.stoppedAtEnd);
    t.is(m.generatedTokens, cap(i), docs[i].id);
  });
});

test('edits never write an end token, even right after a point where the model drew one', async (t) => {
  const i = made.findIndex((m) => m.stoppedAtEnd);
  // The continuation up to its stop, then text: at that boundary the model gave the end token the
  // mass it was drawn with.
  const text = `${made[i].text} The next day was cold and grey.`;
  const tokens = prior.tokenize(text);
  const [scores] = await prior.score([tokens], { topK: 8 });
  for (const id of scores.topIds) t.false(ends.has(id), 'an end token among the candidates');
  // Threshold 0 selects every token: each one is redrawn from its candidates.
  const { edits } = resampleDocument(text, tokens, scores, prior, resampleOptions({ topK: 8, beta: 1.5, excludeOriginal: true }, 0), rngFor(SEED, 'edit', docs[i].id));
  t.true(edits.length > tokens.ids.length / 2, `${edits.length} edits`);
  for (const e of edits) t.false(ends.has(e.replacementId), `position ${e.position}: ${e.replacement}`);
});

test('a pipeline records each stop in synthetic.jsonl and counts them in the manifest, in any batch size', async (t) => {
  const input = join(root, 'in.jsonl');
  await writeFile(input, docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
  const config = parsePipeline({
    name: 'stop',
    input: { format: 'jsonl', path: input },
    prior: { type: 'transformers', model: MODEL },
    edit: { enabled: false },
    synthetic: { promptTokens: OPTIONS.promptTokens, stopAtEnd: true },
    audit: { enabled: false },
    batchSize: 4,
    concurrency: 1,
  });
  const out = join(root, 'run');
  const result = await runPipeline(config, { out, prior, seed: SEED, progress: false });
  const records = (await readFile(join(out, 'synthetic.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  t.deepEqual(records.map((r) => r.text), made.map((m) => m.text), 'the same texts in batches of 4 as in one batch of 8');
  t.deepEqual(records.map((r) => r.tailguard.stoppedAtEnd), made.map((m) => m.stoppedAtEnd));
  t.is(result.summary.syntheticStoppedAtEnd, made.filter((m) => m.stoppedAtEnd).length);
  t.is(result.summary.syntheticTokens, made.reduce((a, m) => a + m.generatedTokens, 0));
  t.is((result.manifest.summary as { syntheticStoppedAtEnd: number }).syntheticStoppedAtEnd, result.summary.syntheticStoppedAtEnd);
});
