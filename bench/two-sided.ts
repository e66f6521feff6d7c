/**
 * Benchmark of the editing pass with the neural prior (models/brown-gpt-5m): ToEdit's left-only
 * draw against the two-sided draw (issue 21: the two-sided pass at no less than half the
 * left-only throughput), at 12.5% selected, top-8, beta 1.5, as pipelines/toedit.json edits.
 *
 * The editing pass is what the pipeline's score and edit steps do for a batch of documents with
 * the audit off: TransformersPrior.score (top-8 candidates above the threshold, no entropy, no
 * ranks) and then the draw of every selected position. The threshold is calibrated once, before
 * the timed runs, on the same documents. Each run times left, two-sided, two-sided, left (A B B A),
 * so the ratio is taken between measurements made close together in time and a drift of a shared
 * machine's speed cancels; the table shows medians over runs, and the ratio is the median of the
 * per-run ratios. Both passes are checked to select the same positions.
 *
 *   node --import tsx bench/two-sided.ts [--runs N] [--limit DOCS] [--batch ROWS] [--lookahead M] [--without-cache]
 *
 * --limit edits the first DOCS held-out documents (default 8); --batch is the prior's batch size
 * (default 16, the shipped pipeline's); --lookahead the neural lookahead (default 4);
 * --without-cache times the reference path instead (one scored window per candidate, no shared
 * key/value cache) and writes two-sided-without-cache.json. JSON goes to bench/results/two-sided.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { readBrown } from '../src/corpus/brown.js';
import { calibrateOnCorpus } from '../src/edit/calibrate.js';
import { resampleOptions } from '../src/edit/config.js';
import { resampleDocument } from '../src/edit/resample.js';
import { editDocumentsTwoSided, lookaheadOf } from '../src/edit/two-sided.js';
import { TransformersPrior } from '../src/prior/transformers/index.js';
import { rngFor } from '../src/random.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(arg('--runs')) || 3;
const limit = Number(arg('--limit')) || 8;
const batchSize = Number(arg('--batch')) || 16;
const lookaheadArg = arg('--lookahead');
const withoutCache = process.argv.includes('--without-cache');
const SEED = 1;
const STRATEGY = { topK: 8, beta: 1.5, excludeOriginal: false };

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const prior = await TransformersPrior.load({ model: 'models/brown-gpt-5m', batchSize });
const docs: { id: string; text: string }[] = [];
for await (const d of readBrown('heldout')) if (docs.push(d) >= limit) break;
const tokens = docs.map((d) => prior.tokenize(d.text));
const tokenCount = tokens.reduce((n, t) => n + t.ids.length, 0);
const lookahead = lookaheadOf(prior, lookaheadArg === undefined ? null : Number(lookaheadArg));

// Count what the two-sided pass weighs (positions, candidates, forward-pass positions), to set the
// time against the work: every fed position costs a full distribution over the vocabulary.
const weighed = { positions: 0, candidates: 0, fedPositions: 0 };
const weigh = withoutCache ? null : prior.weighCandidates.bind(prior);
prior.weighCandidates = async (windows) => {
  for (const w of windows) {
    weighed.positions++;
    weighed.candidates += w.candidates.length;
    const others = w.candidates.length - (w.candidates.includes(w.token) ? 1 : 0);
    weighed.fedPositions += 1 + w.history.length + w.lookahead.length + (w.lookahead.length > 0 ? others * w.lookahead.length : 0);
  }
  return weigh!(windows);
};
// The reference: one scored window per candidate, as before the shared cache (two-sided.ts falls back to it).
if (withoutCache) Object.assign(prior, { weighCandidates: undefined });

// The 12.5% threshold, calibrated on these documents as the pipeline's calibration pass does.
const calibration = await prior.score(tokens, { topK: 8, entropy: false, rank: false });
const threshold = calibrateOnCorpus(
  prior,
  docs.map((d, i) => ({ text: d.text, tokens: tokens[i], logProb: calibration[i].logProb })),
  { mode: 'calibrated', targetShare: 0.125, maxTokens: Infinity },
  { options: resampleOptions(STRATEGY, NaN) },
);
const options = resampleOptions(STRATEGY, threshold);

/** One editing pass; returns seconds, selected and changed tokens. */
async function pass(context: 'left' | 'two-sided'): Promise<{ seconds: number; selected: number; changed: number }> {
  const t0 = performance.now();
  const scores = await prior.score(tokens, { topK: 8, entropy: false, rank: false, candidatesAbove: threshold });
  const items = docs.map((d, i) => ({ text: d.text, tokens: tokens[i], scores: scores[i], options, rng: rngFor(SEED, 'edit', d.id) }));
  const results = context === 'left'
    ? items.map((it) => resampleDocument(it.text, it.tokens, it.scores, prior, it.options, it.rng))
    : await editDocumentsTwoSided(items, prior, lookahead);
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, selected: results.reduce((n, r) => n + r.counts.selected, 0), changed: results.reduce((n, r) => n + r.counts.changed, 0) };
}

await pass('left'); // warm-up
const rows: { left: number; twoSided: number; ratio: number }[] = [];
let counts = { left: { selected: 0, changed: 0 }, twoSided: { selected: 0, changed: 0 } };
for (let r = 0; r < runs; r++) {
  Object.assign(weighed, { positions: 0, candidates: 0, fedPositions: 0 });
  const a1 = await pass('left');
  const b1 = await pass('two-sided');
  const b2 = await pass('two-sided');
  const a2 = await pass('left');
  if (a1.selected !== b1.selected) throw new Error(`the passes select differently: ${a1.selected} vs ${b1.selected}`);
  const left = tokenCount / ((a1.seconds + a2.seconds) / 2);
  const twoSided = tokenCount / ((b1.seconds + b2.seconds) / 2);
  rows.push({ left, twoSided, ratio: twoSided / left });
  counts = { left: { selected: a1.selected, changed: a1.changed }, twoSided: { selected: b1.selected, changed: b1.changed } };
  console.log(`run ${r + 1}: left ${left.toFixed(0)} tokens/s, two-sided ${twoSided.toFixed(0)} tokens/s, ratio ${(twoSided / left).toFixed(3)} (load ${loadavg()[0].toFixed(2)})`);
}
await prior.dispose();

const result = {
  machine: { cpus: cpus().length, model: cpus()[0]?.model, loadAverage: loadavg() },
  setup: { documents: docs.length, tokens: tokenCount, batchSize, lookahead, threshold, ...STRATEGY, runs, withoutCache },
  counts,
  /** One two-sided pass: positions weighed, their candidates, and the positions fed to the model for them. */
  weighed: { ...weighed, positions: weighed.positions / 2, candidates: weighed.candidates / 2, fedPositions: weighed.fedPositions / 2 },
  tokensPerSecond: { left: median(rows.map((r) => r.left)), twoSided: median(rows.map((r) => r.twoSided)) },
  ratio: median(rows.map((r) => r.ratio)),
  runs: rows,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/two-sided${withoutCache ? '-without-cache' : ''}.json`, `${JSON.stringify(result, null, 2)}\n`);
console.log(`\n${docs.length} documents, ${tokenCount} tokens, threshold ${threshold.toFixed(4)}, lookahead ${lookahead}, batch ${batchSize}, ${runs} runs (medians)`);
console.log('| pass | tokens/s | selected | changed |\n|---|---|---|---|');
console.log(`| left (ToEdit) | ${result.tokensPerSecond.left.toFixed(0)} | ${counts.left.selected} | ${counts.left.changed} |`);
console.log(`| two-sided | ${result.tokensPerSecond.twoSided.toFixed(0)} | ${counts.twoSided.selected} | ${counts.twoSided.changed} |`);
if (!withoutCache) console.log(`two-sided pass: ${result.weighed.positions} positions weighed, ${(result.weighed.candidates / result.weighed.positions).toFixed(2)} candidates each, ${(result.weighed.fedPositions / tokenCount).toFixed(2)} fed positions per token`);
console.log(`two-sided / left throughput: ${result.ratio.toFixed(3)}`);
