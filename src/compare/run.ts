import { join } from 'node:path';
import { compareViews } from '../audit/divergence.js';
import { CorpusStats } from '../audit/corpus-stats.js';
import { viewMetrics } from '../audit/metrics.js';
import type { Document } from '../corpus/document.js';
import { describeCorpus, readCorpus } from '../corpus/read.js';
import { generateContinuations } from '../generate/continue.js';
import { openPrior } from '../prior/open.js';
import { prepareRunFolder, writeFileAtomic, writeJsonAtomic } from '../run-io/run-folder.js';
import { versions } from '../run-io/versions.js';
import type { PriorModel } from '../prior/types.js';
import { rngFor } from '../random.js';
import type { ComparisonConfig } from './config.js';
import type { ComparisonResults, StrategyResult, ViewResult } from './results.js';
import { DownstreamCheck } from './downstream.js';
import { comparisonMarkdown, comparisonHtml } from './report.js';
import { resampleOptions } from '../edit/config.js';
import { type EditedCorpus, type ScoredDocument, editCorpus, editCorpusTwoSided, randomBaseline, strategyThreshold } from './strategies.js';
import { lookaheadOf } from '../edit/two-sided.js';
import { ItemCount } from '../progress.js';

export interface CompareOptions {
  out?: string;
  seed?: number;
  limit?: number;
  force?: boolean;
  log?: (message: string) => void;
  /** Use this prior instead of opening the one the config names (tests, library callers). */
  prior?: PriorModel;
}


/**
 * Compare edit strategies on one corpus: score it once, edit it with every strategy and seed from
 * those scores, audit each result against the human text (first seed) and train a downstream
 * n-gram model on each (every seed).
 */
export async function runComparison(config: ComparisonConfig, options: CompareOptions = {}): Promise<{ dir: string; results: ComparisonResults }> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const seed = options.seed ?? config.seed;
  const limit = options.limit ?? config.limit;
  const dir = options.out ?? join('runs', config.name);
  await prepareRunFolder(dir, { force: options.force ?? false, inputs: config.input.format === 'brown' ? [] : [config.input.path] });
  const prior = options.prior ?? (await openPrior(config.prior, log));
  const timings: Record<string, number> = {};
  const lap = (name: string, since: number) => (timings[name] = (Date.now() - since) / 1000);
  try {
    const docs: Document[] = [];
    let rejected = 0;
    for await (const item of readCorpus(config.input)) {
      if (!item.ok) rejected++;
      else if (limit === undefined || docs.length < limit) docs.push(item.doc);
    }
    const seeds = Array.from({ length: config.seeds }, (_, j) => seed + j);

    let t = Date.now();
    const corpus = await scoreOnce(prior, docs, Math.max(...config.strategies.map((s) => s.topK)), config.batchSize);
    lap('scoreSeconds', t);
    log(`scored ${docs.length} documents once (${corpus.reduce((n, c) => n + c.tokens.ids.length, 0)} tokens)`);

    t = Date.now();
    const synthetic = await synthesize(prior, corpus, config, seed);
    lap('syntheticSeconds', t);

    t = Date.now();
    const edited = new Map<string, { threshold: number; runs: EditedCorpus[] }>();
    const toedit = config.strategies.filter((x) => x.kind === 'toedit');
    const editing = new ItemCount(toedit.length);
    for (const s of toedit) {
      const threshold = await strategyThreshold(s, corpus, prior);
      const options = resampleOptions(s, threshold);
      const runs: EditedCorpus[] = [];
      for (const sd of seeds) runs.push(s.context === 'two-sided' ? await editCorpusTwoSided(corpus, prior, options, lookaheadOf(prior, s.lookahead), sd) : editCorpus(corpus, prior, options, sd));
      edited.set(s.name, { threshold, runs });
      log(`[${editing.next()}] edited with ${s.name} (${seeds.length} seeds)`);
    }
    for (const s of config.strategies.filter((x) => x.kind === 'random')) {
      const mirror = edited.get(s.mirror!)!;
      edited.set(s.name, { threshold: NaN, runs: seeds.map((sd, j) => randomBaseline(corpus, prior, s, mirror.runs[j].counts.changed, sd)) });
    }
    lap('editSeconds', t);
    log(`edited with ${config.strategies.length} strategies × ${seeds.length} seeds`);

    t = Date.now();
    const human = new CorpusStats(config.ngramBudget);
    corpus.forEach((c) => human.add(c.doc.text, c.scores));
    const downstream = new DownstreamCheck(docs.map((d) => d.text), config.downstream.order, config.downstream.floor, config.downstream.splits, seed);
    const view = async (texts: string[], perSeed: string[][]): Promise<ViewResult> => {
      const stats = new CorpusStats(config.ngramBudget);
      const scores = config.scoreViews ? await scoreTexts(prior, texts, config.batchSize) : [];
      texts.forEach((text, i) => stats.add(text, scores[i]));
      const cmp = compareViews(human, stats, seed);
      const m = viewMetrics(stats);
      // One perplexity per seed and split: the spread covers both.
      const perSplit = perSeed.map((x) => downstream.perplexities(x));
      const ppl = perSplit.map((xs) => meanSd(xs).mean);
      return {
        jsd: cmp.jsd,
        distinct: m.distinct,
        topMass: m.topMass,
        typeLoss: cmp.typeLoss,
        medianPerplexity: m.perplexity?.quantiles[2] ?? null,
        perplexityW1: cmp.perplexityW1,
        downstream: { perSeed: ppl, perSeedAndSplit: perSplit, ...meanSd(perSplit.flat()) },
      };
    };
    const humanTexts = docs.map((d) => d.text);
    const humanView = await view(humanTexts, [humanTexts]);
    const syntheticView = await view(synthetic, [synthetic]);
    const strategies: StrategyResult[] = [];
    const audited = new ItemCount(config.strategies.length);
    for (const s of config.strategies) {
      const { threshold, runs } = edited.get(s.name)!;
      const v = await view(runs[0].texts, runs.map((r) => r.texts));
      const share = (f: (r: EditedCorpus) => number) => runs.reduce((a, r) => a + f(r) / r.counts.tokens, 0) / runs.length;
      strategies.push({
        name: s.name,
        settings: s,
        threshold,
        selectedShare: share((r) => r.counts.selected),
        changedShare: share((r) => r.counts.changed),
        deletedShare: share((r) => r.counts.deleted),
        protectedShare: share((r) => r.counts.protected),
        changedPerSeed: runs.map((r) => r.counts.changed),
        selectedByProbability: runs[0].selectedByProbability,
        ...v,
      });
      log(`[${audited.next()}] ${s.name}: changed ${(strategies.at(-1)!.changedShare * 100).toFixed(2)}%, downstream perplexity ${v.downstream.mean.toFixed(1)}`);
    }
    lap('auditSeconds', t);
    timings.wallSeconds = (Date.now() - started) / 1000;
    const results: ComparisonResults = {
      name: config.name,
      prior: prior.identity,
      input: describeCorpus(config.input),
      documents: docs.length,
      rejected,
      tokens: corpus.reduce((n, c) => n + c.tokens.ids.length, 0),
      seeds,
      splits: config.downstream.splits,
      scoredDocuments: corpus.length,
      human: humanView,
      synthetic: syntheticView,
      strategies,
      timings,
      versions: versions(),
    };
    await writeJsonAtomic(join(dir, 'comparison.json'), { config, results });
    const title = `Tailguard: edit strategies compared (${config.name})`;
    await writeFileAtomic(join(dir, 'comparison.md'), comparisonMarkdown(results, title));
    await writeFileAtomic(join(dir, 'comparison.html'), comparisonHtml(results, title));
    return { dir, results };
  } finally {
    if (!options.prior) await prior.dispose();
  }
}

/** Score every document once, with candidates everywhere: any strategy may select any position. */
async function scoreOnce(prior: PriorModel, docs: readonly Document[], topK: number, batchSize: number): Promise<ScoredDocument[]> {
  const out: ScoredDocument[] = [];
  for (let at = 0; at < docs.length; at += batchSize) {
    const batch = docs.slice(at, at + batchSize);
    const tokens = batch.map((d) => prior.tokenize(d.text));
    const scores = await prior.score(tokens, { topK, entropy: false });
    batch.forEach((doc, i) => out.push({ doc, tokens: tokens[i], scores: scores[i] }));
  }
  return out;
}

async function scoreTexts(prior: PriorModel, texts: readonly string[], batchSize: number) {
  const out = [];
  for (let at = 0; at < texts.length; at += batchSize) {
    out.push(...(await prior.score(texts.slice(at, at + batchSize).map((t) => prior.tokenize(t)), { topK: 0, entropy: false })));
  }
  return out;
}

/** The fully synthetic corpus: each document's prompt continued by the prior to its own length. */
async function synthesize(prior: PriorModel, corpus: readonly ScoredDocument[], config: ComparisonConfig, seed: number): Promise<string[]> {
  const out: string[] = [];
  for (let at = 0; at < corpus.length; at += config.batchSize) {
    const batch = corpus.slice(at, at + config.batchSize);
    const continuations = await generateContinuations(prior, batch.map((c) => ({ text: c.doc.text, tokens: c.tokens, rng: rngFor(seed, 'synthetic', c.doc.id) })), config.synthetic);
    out.push(...continuations.map((c) => c.text));
  }
  return out;
}

function meanSd(xs: readonly number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd };
}
