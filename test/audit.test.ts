import test from 'ava';
import { compareViews, CorpusStats, type CorpusStatsJSON, jensenShannon, kolmogorovSmirnov, readBrown, viewMetrics, wasserstein1 } from '../src/index.js';
import { type CorpusStatsJSONv1, HASH_BUCKETS } from '../src/audit/corpus-stats.js';
import { words } from '../src/corpus/words.js';
import { fnv1a } from '../src/hash.js';
import { NGramTable } from '../src/audit/ngram-table.js';
import { brownPrior, collect } from './helpers/brown-prior.js';

const prior = await brownPrior();
const docs = await collect(readBrown('heldout'));
const scores = await prior.score(docs.map((d) => prior.tokenize(d.text)), { topK: 0 });

function statsOf(range: number[]): CorpusStats {
  const s = new CorpusStats();
  for (const i of range) s.add(docs[i].text, scores[i]);
  return s;
}
const all = statsOf(docs.map((_, i) => i));

test('statistics merged from 4 shards equal single-pass statistics, and survive a JSON round trip', (t) => {
  const shards = [0, 1, 2, 3].map((k) => statsOf(docs.map((_, i) => i).filter((i) => Math.floor((i * 4) / docs.length) === k)));
  const merged = shards.reduce((acc, s) => acc.merge(s.toJSON()), new CorpusStats());
  t.deepEqual(merged.toJSON(), all.toJSON());
  t.deepEqual(CorpusStats.fromJSON(JSON.parse(JSON.stringify(all.toJSON()))).toJSON(), all.toJSON());
  t.deepEqual(viewMetrics(merged), viewMetrics(all));
});

test('statistics files of version 1 (n-gram tables as pairs, words joined by U+241F) are still read and merged', (t) => {
  const json = all.toJSON();
  const v1: CorpusStatsJSONv1 = { ...json, version: 1, ngrams: json.ngrams.map(({ keys, counts, ...rest }) => ({ ...rest, counts: keys.map((k, i): [string, number] => [k.replaceAll(' ', '\u241f'), counts[i]]) })) };
  t.deepEqual(CorpusStats.fromJSON(v1).toJSON(), json);
  t.deepEqual(new CorpusStats().merge(v1).toJSON(), json);
  t.throws(() => CorpusStats.fromJSON({ ...json, version: 3 } as unknown as CorpusStatsJSON), { message: /unsupported statistics version 3/ });
});

test('the one-pass top-k and Jensen-Shannon equal their plain definitions on Brown', (t) => {
  for (const table of all.tables) {
    for (const k of [1, 40, 1000]) t.deepEqual(table.top(k), table.sorted().slice(0, k), `order ${table.n}, top ${k}`);
    t.deepEqual(Array.from(table.countsDescending()), table.sorted().map(([, c]) => c));
  }
  // Jensen-Shannon over an explicit union of keys, term by term, against the one-lookup version.
  const half = statsOf(docs.map((_, i) => i).filter((i) => i % 2 === 0));
  all.tables.forEach((a, n) => {
    const b = half.tables[n];
    const keys = new Set([...a.keys(), ...b.keys()]);
    const za = a.total + 0.5 * keys.size;
    const zb = b.total + 0.5 * keys.size;
    let plain = 0;
    for (const key of keys) {
      const p = (a.count(key) + 0.5) / za;
      const q = (b.count(key) + 0.5) / zb;
      const m = (p + q) / 2;
      plain += 0.5 * (p * Math.log2(p / m) + q * Math.log2(q / m));
    }
    const fast = jensenShannon(a, b);
    t.true(Math.abs(fast - plain) <= 1e-9 * plain, `order ${n + 1}: ${fast} vs ${plain}`);
  });
});

test('metrics of the Brown held-out split are in the expected ranges', (t) => {
  const m = viewMetrics(all);
  t.is(m.docs, 50);
  t.true(m.distinct[0] > 0.1 && m.distinct[0] < 0.3, `distinct-1 ${m.distinct[0]}`);
  t.true(m.distinct[1] > m.distinct[0] && m.distinct[3] > 0.9, 'longer n-grams are more distinct');
  t.true(m.zipf > 0.8 && m.zipf < 1.3, `Zipf exponent ${m.zipf}`);
  t.true(m.normalizedEntropy.every((h) => h > 0.5 && h <= 1));
  t.false(m.approximate);
  t.is(Math.round(m.rankShares!.reduce((a, b) => a + b, 0) * 1e9), 1e9);
  t.is(Math.round(m.probShares!.reduce((a, b) => a + b, 0) * 1e9), 1e9);
  t.true(m.perplexity!.quantiles[0] < m.perplexity!.quantiles[4]);
});

test('a view compared with itself shows no difference; disjoint halves do', (t) => {
  const same = compareViews(all, all);
  t.deepEqual(same.jsd, [0, 0, 0, 0]);
  t.is(same.typeLoss, 0);
  t.is(same.perplexityW1, 0);
  t.is(same.perplexityKS, 0);
  const news = statsOf(docs.map((d, i) => (d.meta.category === 'news' ? i : -1)).filter((i) => i >= 0));
  const fiction = statsOf(docs.map((d, i) => (['fiction', 'romance', 'adventure', 'mystery', 'science_fiction'].includes(String(d.meta.category)) ? i : -1)).filter((i) => i >= 0));
  const c = compareViews(news, fiction);
  t.true(c.jsd[0] > 0.1 && c.jsd.every((x) => x <= 1), `JSD ${c.jsd}`);
  t.true(c.typeLoss > 0.3);
});

test('distances match hand computations', (t) => {
  t.is(wasserstein1([0, 1], [0, 1]), 0);
  t.is(wasserstein1([0], [3]), 3);
  t.is(wasserstein1([1, 2, 3], [2, 3, 4]), 1);
  t.true(Math.abs(kolmogorovSmirnov([1, 2, 3], [2, 3, 4]) - 1 / 3) < 1e-12);
  t.is(kolmogorovSmirnov([1, 2], [5, 6]), 1);
  const a = new NGramTable(1, 100);
  a.addTokens(['x', 'x', 'y']);
  t.is(jensenShannon(a, a), 0);
  const b = new NGramTable(1, 100);
  b.addTokens(['z', 'z', 'z']);
  t.true(jensenShannon(a, b, 1e-9) > 0.999);
});

test('past its budget an n-gram table prunes rare n-grams, marks itself approximate and keeps the heavy hitters', (t) => {
  const table = new NGramTable(2, 1000);
  for (const d of docs.slice(0, 10)) table.addTokens(d.text.toLowerCase().split(/\s+/));
  t.true(table.approximate);
  t.true(table.size <= 1000);
  t.true(table.prunedMass > 0);
  const exact = new NGramTable(2, 1e9);
  for (const d of docs.slice(0, 10)) exact.addTokens(d.text.toLowerCase().split(/\s+/));
  t.deepEqual(table.sorted().slice(0, 10).map(([k]) => k), exact.sorted().slice(0, 10).map(([k]) => k));
});

/** The n-gram table as a map keyed by strings (what the id tables replaced): the definition they must equal. */
function stringKeyed(docsTokens: string[][], n: number, budget: number) {
  const counts = new Map<string, number>();
  let prunedMass = 0;
  for (const tokens of docsTokens) {
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = tokens.slice(i, i + n).join(' ');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    if (counts.size <= budget) continue;
    for (let floor = 1; counts.size > budget / 2; floor++) {
      for (const [key, c] of counts) if (c <= floor) (counts.delete(key), (prunedMass += c));
    }
  }
  return { keys: [...counts.keys()], counts: [...counts.values()], prunedMass };
}

test('n-gram tables of word ids equal string-keyed maps on Brown, first-seen order and pruning included (exact: no hash collisions)', (t) => {
  const docsTokens = docs.slice(0, 20).map((d) => words(d.text).map((w) => w.toLowerCase()));
  // Written after every document too, as checkpoints do: the keys made for a file are kept, and must follow the pruning.
  for (const [budget, writeEach] of [[1e9, false], [3000, false], [3000, true]] as const) {
    const s = new CorpusStats(budget);
    for (const d of docs.slice(0, 20)) {
      s.add(d.text);
      if (writeEach) s.toJSON();
    }
    s.tables.forEach((table, i) => {
      const want = stringKeyed(docsTokens, i + 1, budget);
      const got = table.toJSON();
      t.deepEqual({ keys: got.keys, counts: got.counts, prunedMass: got.prunedMass }, want, `order ${i + 1}, budget ${budget}, written after each document: ${writeEach}`);
      t.is(got.approximate, want.prunedMass > 0);
    });
  }
});

test('the hashed features are FNV-1a of each word and of each adjacent pair joined by a space', (t) => {
  const s = new CorpusStats();
  const want = new Array<number>(HASH_BUCKETS).fill(0);
  for (const d of docs.slice(0, 5)) {
    s.add(d.text);
    const tokens = words(d.text).map((w) => w.toLowerCase());
    tokens.forEach((w, i) => {
      want[fnv1a(w) % HASH_BUCKETS]++;
      if (i > 0) want[fnv1a(`${tokens[i - 1]} ${w}`) % HASH_BUCKETS]++;
    });
  }
  t.deepEqual(s.hashed, want);
});

test('a statistics file with a key of the wrong length is refused, naming the key', (t) => {
  const json = statsOf([0]).toJSON();
  json.ngrams[2].keys[0] = 'only two';
  t.throws(() => CorpusStats.fromJSON(json), { message: /3-gram table holds "only two", which has 2 words/ });
});
