import test from 'ava';
import { applyEdits, type PriorModel, readBrown, resampleDocument, rngFor, type TokenizedText, type TokenScores, TransformersPrior } from '../src/index.js';
import { calibrateOnCorpus } from '../src/edit/calibrate.js';
import { resampleOptions } from '../src/edit/config.js';
import { protectSchema } from '../src/edit/protect.js';
import { brownPrior, collect } from './helpers/brown-prior.js';
import { integrityOf } from './helpers/word-integrity.js';

interface Scored {
  id: string;
  text: string;
  tokens: TokenizedText;
  scores: TokenScores;
}

async function scoreAll(prior: PriorModel, docs: { id: string; text: string }[]): Promise<Scored[]> {
  const tokens = docs.map((d) => prior.tokenize(d.text));
  const scores = await prior.score(tokens, { topK: 8, entropy: false });
  return docs.map((d, i) => ({ ...d, tokens: tokens[i], scores: scores[i] }));
}

/**
 * Every edit of a corpus at the three settings (p = 0.9, calibrated 12.5%, and 12.5% with
 * the original excluded) and with deletions (12.5%, tokens below P = 0.01 deleted), checked by integrityOf: no fused or split word, the same tokens with the
 * replacements in place, no digit changed (numbers are protected by default).
 */
function checkEveryEdit(t: import('ava').ExecutionContext, prior: PriorModel, corpus: Scored[]) {
  const base = { topK: 8, beta: 1.5, excludeOriginal: false };
  const docs = corpus.map((c) => ({ text: c.text, tokens: c.tokens, logProb: c.scores.logProb, scores: c.scores }));
  const p125 = calibrateOnCorpus(prior, docs, { mode: 'calibrated', targetShare: 0.125, maxTokens: 1e8 }, { options: resampleOptions(base, NaN) });
  const settings = [
    ['p = 0.9', 0.9, false, null],
    ['calibrated 12.5%', p125, false, null],
    ['12.5% excludeOriginal', p125, true, null],
    ['12.5% deleting below 0.01', p125, false, 0.01],
  ] as const;
  for (const [name, threshold, excludeOriginal, deleteBelow] of settings) {
    let changed = 0;
    let deleted = 0;
    const problems: string[] = [];
    for (const c of corpus) {
      const { edits, counts } = resampleDocument(c.text, c.tokens, c.scores, prior, resampleOptions({ ...base, excludeOriginal, deleteBelow }, threshold), rngFor(1, 'edit', c.id));
      deleted += counts.deleted;
      const { text, applied } = applyEdits(c.text, edits);
      const r = integrityOf(prior, c.text, c.tokens, text, applied);
      changed += counts.changed;
      for (const [kind, lines] of Object.entries(r)) problems.push(...lines.map((l: string) => `${c.id} ${kind}: ${l}`));
    }
    // A weak prior is rarely 90% sure: at p = 0.9 a short sample may change nothing.
    if (name !== 'p = 0.9') t.true(changed > 0, `${name}: something changed`);
    if (deleteBelow !== null) t.true(deleted > 0, `${name}: something deleted`);
    t.deepEqual(problems.slice(0, 10), [], `${name}: ${problems.length} damaged edits of ${changed}`);
  }
}

test('n-gram prior: no edit of the Brown held-out split fuses, splits or re-tokenizes words, nor touches a digit', async (t) => {
  const prior = await brownPrior();
  checkEveryEdit(t, prior, await scoreAll(prior, await collect(readBrown('heldout'))));
});

test('neural prior (sub-word tokens): no edit of held-out Brown documents fuses, splits or re-tokenizes words, nor touches a digit', async (t) => {
  const prior = await TransformersPrior.load({ model: 'models/brown-gpt-5m' });
  try {
    const docs = (await collect(readBrown('heldout'))).slice(0, 4).map((d) => ({ ...d, text: d.text.slice(0, 4000) }));
    checkEveryEdit(t, prior, await scoreAll(prior, docs));
  } finally {
    await prior.dispose();
  }
});

test('protected spans: URLs, e-mail addresses, code and user patterns are never selected nor produced', async (t) => {
  const prior = await brownPrior();
  const brown = (await readBrown('heldout').next()).value!;
  const text = `${brown.text.slice(0, 1500)} See https://example.org/a/b?c=1 or write to jane.doe@example.org, run \`make all\` and quote Case No. ABC-123 today. ${brown.text.slice(1500, 3000)}`;
  const [c] = await scoreAll(prior, [{ id: brown.id, text }]);
  const protect = protectSchema.parse({ urls: true, emails: true, code: true, patterns: ['Case No\\. [A-Z]+-\\d+'] });
  const spans = ['https://example.org/a/b?c=1', 'jane.doe@example.org', '`make all`', 'Case No. ABC-123'].map((s) => [text.indexOf(s), text.indexOf(s) + s.length]);
  const inside = (i: number) => spans.some(([a, b]) => c.tokens.starts[i] < b && c.tokens.ends[i] > a);
  const protectedTokens = Array.from(c.tokens.ids.keys()).filter((i) => inside(i) && prior.isEmittable(c.tokens.ids[i])).length;
  const on = resampleDocument(text, c.tokens, c.scores, prior, resampleOptions({ topK: 8, beta: 1.5, excludeOriginal: true, protect }, 0), rngFor(1, 'edit', c.id));
  t.false(on.edits.some((e) => inside(e.position)), 'no protected token selected');
  t.true(protectedTokens > 10 && on.counts.protected >= protectedTokens, `${on.counts.protected} protected tokens counted, ${protectedTokens} in the four spans`);
  const { text: out } = applyEdits(text, on.edits);
  for (const [a, b] of spans) t.true(out.includes(text.slice(a, b)), `${text.slice(a, b)} kept`);
  // Off, the same strategy selects inside them: the protection is what kept them.
  const off = resampleDocument(text, c.tokens, c.scores, prior, resampleOptions({ topK: 8, beta: 1.5, excludeOriginal: true, protect: protectSchema.parse({ numbers: false }) }, 0), rngFor(1, 'edit', c.id));
  t.true(off.edits.some((e) => inside(e.position)));
  t.is(off.counts.protected, 0);
});

test('whole words only (sub-word prior): no selected token is part of a word, and replacements stay whole words', async (t) => {
  const prior = await TransformersPrior.load({ model: 'models/brown-gpt-5m' });
  try {
    const docs = (await collect(readBrown('heldout'))).slice(0, 2).map((d) => ({ ...d, text: d.text.slice(0, 3000) }));
    for (const c of await scoreAll(prior, docs)) {
      const options = { ...resampleOptions({ topK: 8, beta: 1.5, excludeOriginal: true, wholeWords: true }, 0) };
      const { edits, counts } = resampleDocument(c.text, c.tokens, c.scores, prior, options, rngFor(1, 'edit', c.id));
      t.true(counts.partWords > 0, 'the text has sub-word tokens');
      const { text: out, applied } = applyEdits(c.text, edits);
      const word = /^[\p{L}\p{M}\p{N}_]/u;
      const endWord = /[\p{L}\p{M}\p{N}_]$/u;
      const touches = (s: string, before: string, after: string) => (endWord.test(before) && word.test(s)) || (endWord.test(s) && word.test(after));
      for (const a of applied) {
        // The original in the input, the replacement in the output (its neighbours may be edited too).
        if (touches(a.original, c.text.slice(0, a.start), c.text.slice(a.end))) t.fail(`${c.id} position ${a.position}: ${JSON.stringify(a.original)} is part of a word`);
        if (touches(a.replacement, out.slice(0, a.outStart), out.slice(a.outEnd))) t.fail(`${c.id} position ${a.position}: ${JSON.stringify(a.replacement)} glued onto a neighbour`);
      }
      t.true(edits.some((e) => e.changed));
    }
  } finally {
    await prior.dispose();
  }
});
