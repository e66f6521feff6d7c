import test from 'ava';
import { applyEdits, calibrateThreshold, createRng, readBrown, resampleDocument, TransformersPrior } from '../src/index.js';
import { brownPrior } from './helpers/brown-prior.js';

const prior = await brownPrior();
const doc = (await readBrown('heldout').next()).value!;
const tokens = prior.tokenize(doc.text);
const [scores] = await prior.score([tokens], { topK: 8 });
const base = { topK: 8, beta: 1.5, excludeOriginal: false, deleteBelow: null, editWhitespace: false };

test('a token is selected exactly when P > p, never at position 0 or for <unk>', (t) => {
  for (const p of [0.05, 0.2, 0.5, 0.9]) {
    const { edits, counts } = resampleDocument(doc.text, tokens, scores, prior, { ...base, threshold: p }, createRng(1));
    const selected = new Set(edits.map((e) => e.position));
    let expected = 0;
    for (let i = 0; i < tokens.ids.length; i++) {
      const should = i > 0 && prior.isEmittable(tokens.ids[i]) && Math.exp(scores.logProb[i]) > p;
      if (should) expected++;
      if (should !== selected.has(i)) t.fail(`position ${i}: P = ${Math.exp(scores.logProb[i])}, p = ${p}`);
    }
    t.is(counts.selected, expected);
    t.true(expected > 0, `something is selected at p = ${p}`);
  }
});

test('p = 1 selects nothing and the text comes back byte for byte', (t) => {
  const { edits, counts } = resampleDocument(doc.text, tokens, scores, prior, { ...base, threshold: 1 }, createRng(1));
  t.is(counts.selected, 0);
  t.is(applyEdits(doc.text, edits).text, doc.text);
});

test('resampling frequencies match softmax(logprob / beta) over the top-k plus the original', (t) => {
  // A real position where the original is the top candidate, like most selected tokens.
  const i = Array.from(tokens.ids.keys()).find((j) => j > 0 && scores.rank[j] === 1 && Math.exp(scores.logProb[j]) > 0.3 && Math.exp(scores.logProb[j]) < 0.8)!;
  const one = { ids: tokens.ids.subarray(0, i + 1), starts: tokens.starts.subarray(0, i + 1), ends: tokens.ends.subarray(0, i + 1) };
  const lps = Array.from(scores.topLogProbs.subarray(i * 8, i * 8 + 8));
  const cands = Array.from(scores.topIds.subarray(i * 8, i * 8 + 8));
  for (const beta of [1, 1.5]) {
    const w = lps.map((lp) => Math.exp(lp / beta));
    const z = w.reduce((a, b) => a + b, 0);
    const counts = new Map<number, number>();
    const rng = createRng(99);
    const n = 20000;
    for (let r = 0; r < n; r++) {
      const { edits } = resampleDocument(doc.text, one, scores, prior, { ...base, beta, threshold: 0 }, rng);
      const e = edits.find((x) => x.position === i)!;
      counts.set(e.replacementId, (counts.get(e.replacementId) ?? 0) + 1);
    }
    cands.forEach((id, j) => {
      const p = w[j] / z;
      const se = Math.sqrt((p * (1 - p)) / n);
      t.true(Math.abs((counts.get(id) ?? 0) / n - p) < 4.5 * se + 1e-4, `beta ${beta}, candidate ${prior.tokenText(id)}: ${(counts.get(id) ?? 0) / n} vs ${p}`);
    });
    t.is([...counts.keys()].filter((id) => !cands.includes(id)).length, 0, 'only candidates are drawn');
  }
});

test('excluding the original changes every selected token; the floor deletes improbable tokens', (t) => {
  const ex = resampleDocument(doc.text, tokens, scores, prior, { ...base, threshold: 0.3, excludeOriginal: true }, createRng(3));
  t.true(ex.counts.selected > 0);
  t.is(ex.counts.changed, ex.counts.selected);
  const del = resampleDocument(doc.text, tokens, scores, prior, { ...base, threshold: 1, deleteBelow: 1e-4 }, createRng(3));
  t.true(del.counts.deleted > 0);
  const out = applyEdits(doc.text, del.edits).text;
  t.true(out.length < doc.text.length);
  t.false(out.includes('  '), 'deleting takes the space before the token with it');
});

test('calibrated thresholds select the target share', (t) => {
  const probs = Float32Array.from(scores.logProb, Math.exp);
  for (const target of [0.05, 0.125, 0.25]) {
    const c = calibrateThreshold(probs, target);
    const above = probs.filter((p) => p > c.p).length / probs.length;
    t.is(c.achievedShare, above);
    t.true(Math.abs(above - target) < 0.01, `target ${target}, got ${above}`);
  }
});

test('with the shipped neural prior, whitespace tokens (paragraph breaks) are never selected nor drawn unless asked', async (t) => {
  const neural = await TransformersPrior.load({ model: 'models/brown-gpt-5m' });
  const text = doc.text.slice(0, 1500);
  const toks = neural.tokenize(text);
  const [sc] = await neural.score([toks], { topK: 8 });
  const isSpace = (i: number) => text.slice(toks.starts[i], toks.ends[i]).trim() === '';
  t.true(Array.from(toks.ids.keys()).some(isSpace), 'the sample has whitespace tokens');
  const kept = resampleDocument(text, toks, sc, neural, { ...base, threshold: 0 }, createRng(4));
  t.false(kept.edits.some((e) => isSpace(e.position)), 'no whitespace token selected');
  t.false(kept.edits.some((e) => e.changed && e.replacement.trim() === ''), 'no token replaced by whitespace');
  const all = resampleDocument(text, toks, sc, neural, { ...base, threshold: 0, editWhitespace: true }, createRng(4));
  t.true(all.edits.some((e) => isSpace(e.position)), 'editWhitespace lets them be selected');
  await neural.dispose();
});

test('byte-level edits of multi-byte characters never overlap, so applying them cannot fail', async (t) => {
  const neural = await TransformersPrior.load({ model: 'models/brown-gpt-5m' });
  const text = 'Tokyo 東京 and Kyoto 京都 — emoji 🎉🎉 café naïve, 数学と言語モデル.';
  const toks = neural.tokenize(text);
  const [sc] = await neural.score([toks], { topK: 8 });
  for (let seed = 0; seed < 20; seed++) {
    const { edits } = resampleDocument(text, toks, sc, neural, { ...base, threshold: 0, excludeOriginal: true }, createRng(seed));
    for (let j = 1; j < edits.length; j++) t.true(edits[j].start >= edits[j - 1].end, `seed ${seed}: edit ${j} overlaps`);
    t.notThrows(() => applyEdits(text, edits));
  }
  await neural.dispose();
});
