import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ComparisonResults, parseComparison, type PriorModel, runComparison, type ScoreOptions, type TokenizedText } from '../src/index.js';
import { TERMINAL_COLUMNS, terminalTable } from '../src/compare/terminal-table.js';
import { brownPrior } from './helpers/brown-prior.js';
import { withTempDir } from './helpers/temp-dir.js';

const prior = await brownPrior();

/** The prior, counting the documents it is asked to score. */
function counting(inner: PriorModel): PriorModel & { scored: number } {
  const proxy = Object.create(inner) as PriorModel & { scored: number };
  proxy.scored = 0;
  proxy.score = (docs: readonly TokenizedText[], options: ScoreOptions) => {
    proxy.scored += docs.length;
    return inner.score(docs, options);
  };
  return proxy;
}

const config = (overrides: Record<string, unknown> = {}) =>
  parseComparison({
    name: 'compare-test',
    input: { format: 'brown', split: 'heldout' },
    limit: 6,
    prior: { type: 'ngram', file: 'unused-when-a-prior-is-given.tgkn.gz' },
    seeds: 2,
    scoreViews: false,
    synthetic: { promptTokens: 16, topP: 0.9 },
    strategies: [
      { name: 'toedit-25%', selection: { mode: 'calibrated', targetShare: 0.25 } },
      { name: 'toedit-25%-k64', selection: { mode: 'calibrated', targetShare: 0.25 }, topK: 64 },
      { name: 'exclude-original', selection: { mode: 'calibrated', targetShare: 0.25 }, excludeOriginal: true },
      { name: 'low-end', selection: { mode: 'calibrated', targetShare: 0.1 }, select: 'below' },
      { name: 'random', kind: 'random', mirror: 'toedit-25%' },
    ],
    ...overrides,
  });

async function run(overrides: Record<string, unknown> = {}, seed?: number): Promise<{ results: ComparisonResults; scored: number; files: Record<string, string> }> {
  return withTempDir('compare', async (dir) => {
    const p = counting(prior);
    const { results } = await runComparison(config(overrides), { out: dir, prior: p, seed });
    const files = Object.fromEntries(await Promise.all(['comparison.md', 'comparison.html'].map(async (f) => [f, await readFile(join(dir, f), 'utf8')])));
    return { results, scored: p.scored, files };
  });
}

const first = await run();

test('the corpus is scored once per document, whatever the number of strategies', (t) => {
  t.is(first.results.documents, 6);
  t.is(first.scored, 6);
  t.is(first.results.scoredDocuments, 6);
  t.is(first.results.strategies.length, 5);
});

test('the random baseline changes exactly as many tokens as the strategy it mirrors, seed by seed', (t) => {
  const byName = Object.fromEntries(first.results.strategies.map((s) => [s.name, s]));
  t.true(byName['toedit-25%'].changedPerSeed.every((c) => c > 100));
  t.deepEqual(byName.random.changedPerSeed, byName['toedit-25%'].changedPerSeed);
  // Excluding the original changes every selected token; the low end selects what ToEdit leaves.
  // (but for the rare token no candidate can replace without fusing or splitting a word).
  t.true(byName['exclude-original'].changedShare >= 0.995 * byName['exclude-original'].selectedShare);
  t.true(Math.abs(byName['low-end'].selectedShare - 0.1) < 0.01);
  t.true(byName['toedit-25%-k64'].changedShare > byName['toedit-25%'].changedShare);
});

test('the downstream check trains on each corpus: human, edited and synthetic perplexities differ, seeds spread', (t) => {
  const r = first.results;
  const edited = r.strategies.find((s) => s.name === 'exclude-original')!;
  t.true(Number.isFinite(r.human.downstream.mean) && r.human.downstream.mean > 1);
  t.not(edited.downstream.mean, r.human.downstream.mean);
  t.not(r.synthetic.downstream.mean, r.human.downstream.mean);
  t.is(edited.downstream.perSeed.length, 2);
  t.true(edited.downstream.sd > 0);
  t.is(r.human.jsd[1], 0);
  t.true(edited.jsd[1] > 0 && r.synthetic.jsd[1] > edited.jsd[1]);
  t.true(first.files['comparison.md'].includes('| random |'));
  t.true(first.files['comparison.html'].includes('<svg'));
});

test('the terminal table fits 100 columns, a long strategy name cut to fit; comparison.md keeps every column', (t) => {
  const width = (text: string) => Math.max(...text.split('\n').map((l) => [...l].length));
  const table = terminalTable(first.results);
  t.true(width(table) <= TERMINAL_COLUMNS, table);
  for (const s of first.results.strategies) t.regex(table, new RegExp(`^${s.name}\\s`, 'm'));
  const long = 'toedit-12.5%-with-a-name-far-longer-than-any-column-should-hold';
  const renamed = { ...first.results, strategies: first.results.strategies.map((s, i) => (i === 0 ? { ...s, name: long } : s)) };
  const cut = terminalTable(renamed);
  t.true(width(cut) <= TERMINAL_COLUMNS, cut);
  t.regex(cut, /^toedit-12\.5%-with-a-name\S*\u2026 /m);
  t.true(first.files['comparison.md'].includes('| threshold p | selected | changed | JSD-1 (bits) | JSD-2 (bits) |'), 'the wide table with every column');
});

test('results are reproducible by seed, and another seed gives other edits', async (t) => {
  const again = await run();
  const strip = (r: ComparisonResults) => ({ ...r, timings: null, versions: null });
  t.deepEqual(strip(again.results), strip(first.results));
  const other = await run({}, 7);
  t.notDeepEqual(other.results.strategies.map((s) => s.changedPerSeed), first.results.strategies.map((s) => s.changedPerSeed));
});

test('two-sided, changed-share and protected variants: changed-share strategies land within 10% of their target; the downstream check spans several fold splits', async (t) => {
  const changedShare = { mode: 'changed-share', targetShare: 0.02 };
  const { results } = await run({
    downstream: { splits: 3 },
    strategies: [
      { name: 'left-25%', selection: { mode: 'calibrated', targetShare: 0.25 } },
      { name: 'two-sided-25%', selection: { mode: 'calibrated', targetShare: 0.25 }, context: 'two-sided' },
      { name: 'left-changed-2%', selection: changedShare },
      { name: 'two-sided-changed-2%', selection: changedShare, context: 'two-sided' },
      { name: 'unprotected-25%', selection: { mode: 'calibrated', targetShare: 0.25 }, protect: { numbers: false } },
    ],
  });
  const byName = Object.fromEntries(results.strategies.map((s) => [s.name, s]));
  // Same selection, other draws: the same tokens are selected, other ones change.
  t.is(byName['two-sided-25%'].selectedShare, byName['left-25%'].selectedShare);
  t.notDeepEqual(byName['two-sided-25%'].changedPerSeed, byName['left-25%'].changedPerSeed);
  for (const name of ['left-changed-2%', 'two-sided-changed-2%']) t.true(Math.abs(byName[name].changedShare - 0.02) < 0.002, `${name}: changed ${byName[name].changedShare}`);
  t.true(byName['left-25%'].protectedShare > 0 && byName['unprotected-25%'].protectedShare === 0, 'numbers are protected unless asked not to');
  const d = byName['left-25%'].downstream;
  t.deepEqual(d.perSeedAndSplit.map((s) => s.length), [3, 3]);
  t.true(new Set(d.perSeedAndSplit[0]).size === 3, 'each split gives its own perplexity');
});
