import test from 'ava';
import { brownFiles, brownText, readBrown } from '../src/index.js';
import { collect } from './helpers/brown-prior.js';

test('the split is by document, disjoint, and covers all 500 files', async (t) => {
  const train = await brownFiles('train');
  const heldout = await brownFiles('heldout');
  t.is(train.length, 450);
  t.is(heldout.length, 50);
  t.deepEqual(new Set([...train, ...heldout]).size, 500);
  t.deepEqual(heldout.slice(0, 3), ['ca10', 'ca20', 'ca30']); // every 10th file in name order
});

test('held-out documents carry id, category and readable text', async (t) => {
  const docs = await collect(readBrown('heldout'));
  t.is(docs.length, 50);
  t.is(docs[0].id, 'brown/ca10');
  t.is(docs[0].meta.category, 'news');
  const categories = new Set(docs.map((d) => d.meta.category));
  t.true(categories.size >= 10, 'the held-out split spans the genres');
  for (const d of docs) {
    t.false(/\/[a-z$*+-]+\b/.test(d.text.slice(0, 2000)) && /\w\/(nn|vb|at|in)\b/.test(d.text), `${d.id} still has tags`);
    t.false(/ [,.;:!?)]/.test(d.text), `${d.id} has a space before punctuation`);
    t.false(/``|(^|\s)''/.test(d.text), `${d.id} has Brown quote tokens`);
  }
  const chars = docs.reduce((s, d) => s + d.text.length, 0);
  t.true(chars > 550_000 && chars < 650_000, `held-out size ${chars}`);
});

test('brownText rebuilds spacing, quotes, clitics and paragraphs', (t) => {
  const tagged = "\n\n\tHe/pps said/vbd ``/`` it/pps isn't/bez* so/rb ''/'' ,/, (/( twice/rb )/) ./.\nOK/uh ./.\n\n\n\tNext/ap ./.\n";
  t.is(brownText(tagged), 'He said "it isn\'t so", (twice). OK.\n\nNext.');
});
