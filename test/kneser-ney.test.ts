import test from 'ava';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { createRng, NGramPrior, readBrown, TailguardError } from '../src/index.js';
import { contextLevels } from '../src/prior/ngram/context-index.js';
import { NGramCounts } from '../src/prior/ngram/counts.js';
import { decodeModel, encodeModel } from '../src/prior/ngram/file.js';
import { BOS, UNK } from '../src/prior/ngram/vocabulary.js';
import { brownPrior, TEST_MODEL_FILE } from './helpers/brown-prior.js';
import { SHAPES, shaped } from './helpers/shaped.js';

const prior = await brownPrior();
const V = prior.identity.vocabSize;

/** Contexts taken from real held-out text: positions spread over a few documents. */
async function heldOutContexts(count: number): Promise<Int32Array[]> {
  const out: Int32Array[] = [];
  const rng = createRng(42);
  for await (const doc of readBrown('heldout')) {
    const { ids } = prior.tokenize(doc.text);
    for (let j = 0; j < 4 && out.length < count; j++) out.push(ids.slice(0, Math.floor(rng.next() * ids.length)));
    if (out.length >= count) break;
  }
  return out;
}

function dense(history: Int32Array): Float64Array {
  const d = prior.distribution(history);
  return Float64Array.from({ length: V }, (_, i) => d.prob(i));
}

test('next-token distributions sum to 1 over the vocabulary, with <s> never predicted', async (t) => {
  for (const ctx of [...(await heldOutContexts(20)), new Int32Array([]), new Int32Array([UNK, UNK])]) {
    const p = dense(ctx);
    const sum = p.reduce((s, x) => s + x, 0);
    t.true(Math.abs(sum - 1) < 1e-9, `sum ${sum} after ${ctx.length} tokens`);
    t.is(p[BOS], 0);
    t.true(p.every((x, i) => i === BOS || x > 0), 'every word has probability > 0');
  }
});

test('scores (log-prob, rank, entropy, top-k) equal a brute-force computation over the dense distribution', async (t) => {
  const doc = (await readBrown('heldout').next()).value!;
  const tokens = prior.tokenize(doc.text.slice(0, 3000));
  const [s] = await prior.score([tokens], { topK: 8 });
  for (const i of [0, 1, 2, 5, 17, 40, 99, tokens.ids.length - 1]) {
    const p = dense(tokens.ids.subarray(0, i));
    const x = tokens.ids[i];
    t.true(Math.abs(s.logProb[i] - Math.log(p[x])) < 1e-5, `logProb at ${i}`);
    t.is(s.rank[i], 1 + p.filter((q, w) => w !== x && q > p[x]).length, `rank at ${i}`);
    const h = -p.reduce((acc, q) => acc + (q > 0 ? q * Math.log(q) : 0), 0);
    t.true(Math.abs(s.entropy[i] - h) < 1e-4, `entropy at ${i}: ${s.entropy[i]} vs ${h}`);
    const order = Array.from({ length: V }, (_, w) => w).filter((w) => w !== BOS && w !== UNK).sort((a, b) => p[b] - p[a] || a - b);
    t.deepEqual(Array.from(s.topIds.subarray(i * 8, i * 8 + 8)), order.slice(0, 8), `top-8 at ${i}`);
  }
});

test('the model file round-trips: same hash, same scores', async (t) => {
  const loaded = await NGramPrior.load(TEST_MODEL_FILE);
  t.is(loaded.identity.sha256, prior.identity.sha256);
  const tokens = prior.tokenize('The jury said it would investigate the election next week.');
  const [a] = await prior.score([tokens], { topK: 4 });
  const [b] = await loaded.score([tokens], { topK: 4 });
  t.deepEqual(a, b);
});

test('the context levels hold raw counts at the top and Kneser-Ney continuation counts below, as defined, and find every context', async (t) => {
  const counts = new NGramCounts(3);
  let n = 0;
  for await (const doc of readBrown('heldout')) if (n++ < 10) counts.add(prior.tokenize(doc.text).ids);
  const levels = contextLevels(counts.grams(), V);
  // The definitions, over comma-joined keys: N1+(• w) counts the distinct words before w.
  const continuation = (grams: Iterable<string>) => {
    const c = new Map<string, number>();
    for (const key of grams) {
      const suffix = key.slice(key.indexOf(',') + 1);
      c.set(suffix, (c.get(suffix) ?? 0) + 1);
    }
    return c;
  };
  const bigrams = continuation(counts.counts.keys());
  const expected = [continuation(bigrams.keys()), bigrams, counts.counts];
  levels.forEach((level, k) => {
    t.is(level.words.length, expected[k].size, `order ${k + 1}: as many n-grams as defined`);
    for (let g = 0; g < level.groups; g++) {
      const ids = Array.from(level.words.subarray(level.start[g], level.start[g + 1]));
      t.deepEqual(ids, [...ids].sort((a, b) => a - b), 'followers ascending');
      t.is(level.total[g], Array.from(level.counts.subarray(level.start[g], level.start[g + 1])).reduce((a, b) => a + b, 0));
    }
    // Every n-gram found as scoring finds it: its context's last word at level 1, then one word
    // further back per level, then the follower in its group.
    const wrong: string[] = [];
    for (const [key, c] of expected[k]) {
      const ids = key.split(',').map(Number);
      const w = ids.pop()!;
      let group = 0;
      for (let j = 1; j <= ids.length; j++) group = levels[j].find(group, ids[ids.length - j]);
      const at = group >= 0 ? level.follower(group, w) : -1;
      if (at < 0 || level.counts[at] !== c) wrong.push(`${key}: ${at < 0 ? 'not found' : level.counts[at]} vs ${c}`);
    }
    t.deepEqual(wrong, [], `order ${k + 1}`);
  });
});

test('a model file loads to the same model whatever the order of its n-grams', (t) => {
  const counts = new NGramCounts(3);
  counts.add(Int32Array.from([2, 3, 4, 5, 2, 6, 7, 2, 3, 8])); // the cat sat on the mat and the cat ran
  const grams = counts.grams();
  // The rows reversed, as a file of another writer (or of an earlier version) may hold them.
  const reversed = { cols: grams.cols.map((c) => c.slice().reverse()), counts: grams.counts.slice().reverse() };
  const vocab = prior.model.vocab;
  const a = decodeModel('a', encodeModel(grams, counts.tokens, vocab, { minCount: 1, trainedOn: 'test' }));
  const b = decodeModel('b', encodeModel(reversed, counts.tokens, vocab, { minCount: 1, trainedOn: 'test' }));
  t.deepEqual(b.grams, a.grams);
  t.deepEqual(a.grams, grams);
  t.not(encodeModel(reversed, counts.tokens, vocab, { minCount: 1, trainedOn: 'test' }).compare(encodeModel(grams, counts.tokens, vocab, { minCount: 1, trainedOn: 'test' })), 0);
});

test('unseen words map to the unknown class and still get a finite probability', async (t) => {
  const tokens = prior.tokenize('The zqxjvw said.');
  t.is(tokens.ids[1], UNK);
  const [s] = await prior.score([tokens], { topK: 1 });
  t.true(Number.isFinite(s.logProb[1]));
});

test('a corrupt model file gives an error naming the file and the fix', async (t) => {
  await mkdir('.cache/test', { recursive: true });
  const bad = '.cache/test/corrupt.tgkn.gz';
  await writeFile(bad, (await readFile(TEST_MODEL_FILE)).subarray(0, 1000));
  const e = await t.throwsAsync(NGramPrior.load(bad), { instanceOf: TailguardError });
  t.regex(e!.message, /corrupt\.tgkn\.gz.*delete it to retrain/);
  // Same size, 200 bytes inverted in the middle: gzip's CRC-32 (or the inflater before it) notices.
  const flipped = Buffer.from(await readFile(TEST_MODEL_FILE));
  for (let i = 0; i < 200; i++) flipped[(flipped.length >> 1) + i * 97] ^= 0xff;
  await writeFile(bad, flipped);
  const f = await t.throwsAsync(NGramPrior.load(bad), { instanceOf: TailguardError });
  t.is((f as TailguardError).code, 'model');
  t.regex(f!.message, /corrupt\.tgkn\.gz: not a usable n-gram model file \(corrupt or truncated gzip data: .+\); delete it to retrain/);
  await t.throwsAsync(NGramPrior.load('.cache/test/missing.tgkn.gz'), { message: /missing\.tgkn\.gz: cannot read/ });
});

test('pure sampling draws tokens with the model probabilities', async (t) => {
  const ctx = prior.tokenize('He said that').ids;
  const dist = prior.distribution(ctx);
  const rng = createRng(7);
  const n = 20000;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const id = dist.sample(rng, { temperature: 1, topK: 0, topP: 1 });
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  t.false(counts.has(UNK) || counts.has(BOS), 'never draws <unk> or <s>');
  const z = 1 - dist.prob(UNK);
  // The most frequent draws match p(w)/(1 - p(unk)) within 4 standard errors.
  for (const [id, c] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 5)) {
    const p = dist.prob(id) / z;
    const se = Math.sqrt((p * (1 - p)) / n);
    t.true(Math.abs(c / n - p) < 4 * se, `${prior.tokenText(id)}: ${c / n} vs ${p}`);
  }
});

test('temperature, top-k and top-p sampling follow the shaped distribution exactly', (t) => {
  const dist = prior.distribution(prior.tokenize('It was the').ids);
  const n = 3000;
  for (const options of SHAPES) {
    const expected = shaped(V, (id) => id !== BOS && id !== UNK, (id) => dist.prob(id), options);
    const counts = new Map<number, number>();
    const rng = createRng(11);
    for (let i = 0; i < n; i++) {
      const id = dist.sample(rng, options);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    t.true([...counts.keys()].every((id) => expected.has(id)), `${JSON.stringify(options)}: only kept tokens are drawn`);
    for (const [id, p] of [...expected].sort((a, b) => b[1] - a[1]).slice(0, 6)) {
      const se = Math.sqrt((p * (1 - p)) / n);
      t.true(Math.abs((counts.get(id) ?? 0) / n - p) < 4.5 * se + 1e-4, `${JSON.stringify(options)} ${prior.tokenText(id)}: ${(counts.get(id) ?? 0) / n} vs ${p}`);
    }
  }
  const greedy = Array.from({ length: V }, (_, i) => i).filter((i) => i !== BOS && i !== UNK).reduce((a, b) => (dist.prob(b) > dist.prob(a) ? b : a));
  t.is(dist.sample(createRng(1), { temperature: 0, topK: 0, topP: 1 }), greedy);
});
