/**
 * The n-gram path stage by stage, in one process, on the same documents: tokenize, score
 * (log-probability alone, as IRSTLM's evaluation computes it, and as the editing pass asks),
 * select + edit, generate, audit statistics, write, and opening the prior. Each stage is timed
 * in CPU seconds of this process (user + system: the machine may be shared, and CPU time is
 * what one core spends whoever else runs), `runs` times; the median is reported.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CorpusStats } from '../src/audit/corpus-stats.js';
import { applyEdits } from '../src/edit/apply.js';
import { selectionValues } from '../src/edit/calibrate.js';
import { resampleOptions } from '../src/edit/config.js';
import { resampleDocument } from '../src/edit/resample.js';
import { calibrateThreshold } from '../src/edit/threshold.js';
import { generateContinuations } from '../src/generate/continue.js';
import type { PipelineConfig } from '../src/pipeline/config.js';
import { NGramPrior } from '../src/prior/ngram/prior.js';
import type { TokenizedText, TokenScores } from '../src/prior/types.js';
import { rngFor } from '../src/random.js';

export interface StageResult {
  stage: string;
  /** What is counted: tokens read, scored, edited or generated. */
  units: number;
  medianCpuSeconds: number;
  medianUnitsPerSecond: number;
  cpuSeconds: number[];
}

export interface Doc {
  id: string;
  text: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** CPU seconds (user + system) `f` takes in this process. */
function cpuSeconds(f: () => void): number {
  const start = process.cpuUsage();
  f();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

async function cpuSecondsAsync(f: () => Promise<void>): Promise<number> {
  const start = process.cpuUsage();
  await f();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

function result(stage: string, units: number, times: number[]): StageResult {
  const m = median(times);
  return { stage, units, medianCpuSeconds: m, medianUnitsPerSecond: Math.round(units / m), cpuSeconds: times };
}

/**
 * Every stage on `docs` with the pipeline's prior (already trained into its cache file). Scoring
 * stages open a fresh prior each run, so its per-context caches are built inside the timing.
 * `generateDocs` are continued by the prior (generation is slower per token: fewer documents).
 */
export async function benchStages(config: PipelineConfig, docs: Doc[], generateDocs: Doc[], runs: number, work: string): Promise<StageResult[]> {
  const file = config.prior.type === 'ngram' ? config.prior.file : '';
  const open = () => NGramPrior.load(file);
  const results: StageResult[] = [];
  const loads: number[] = [];
  for (let r = 0; r < runs; r++) loads.push(await cpuSecondsAsync(async () => void (await open())));
  results.push(result('open the prior (s, not a rate)', 1, loads));

  let prior = await open();
  let tokens: TokenizedText[] = [];
  const tok = Array.from({ length: runs }, () => cpuSeconds(() => (tokens = docs.map((d) => prior.tokenize(d.text)))));
  const n = tokens.reduce((s, t) => s + t.ids.length, 0);
  results.push(result('tokenize', n, tok));

  const logProbOnly: number[] = [];
  for (let r = 0; r < runs; r++) {
    prior = await open();
    logProbOnly.push(await cpuSecondsAsync(async () => void (await prior.score(tokens, { topK: 0, rank: false, entropy: false }))));
  }
  results.push(result('score: log-prob only', n, logProbOnly));

  // The editing pass's threshold: the calibrated one (12.5% of tokens selected), as the pipeline would pick.
  const logProbs = await prior.score(tokens, { topK: 0, rank: false, entropy: false });
  const selectable = resampleOptions(config.edit, 0);
  const probs = Float64Array.from(tokens.flatMap((t, d) => Array.from(selectionValues(prior, docs[d].text, t, logProbs[d].logProb, selectable))));
  const threshold = calibrateThreshold(probs, config.edit.selection.mode === 'calibrated' ? config.edit.selection.targetShare : 0.125).p;
  // As the editing pass asks: without the audit, ranks only where candidates are read (see rankEverywhere); with it, everywhere.
  let scores: TokenScores[] = [];
  const scoreFor = async (rank: boolean, label: string) => {
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      prior = await open();
      times.push(await cpuSecondsAsync(async () => void (scores = await prior.score(tokens, { topK: config.edit.topK, entropy: false, rank, candidatesAbove: threshold }))));
    }
    results.push(result(label, n, times));
  };
  await scoreFor(false, 'score: as the editing pass asks, audit off (top-k and rank where selectable)');
  await scoreFor(true, 'score: as the editing pass asks with the audit (rank everywhere, top-k where selectable)');

  const options = resampleOptions(config.edit, threshold);
  let edited: { text: string; applied: ReturnType<typeof applyEdits>['applied']; counts: object }[] = [];
  const edit = Array.from({ length: runs }, () =>
    cpuSeconds(() => {
      edited = docs.map((d, i) => {
        const { edits, counts } = resampleDocument(d.text, tokens[i], scores[i], prior, options, rngFor(config.seed, 'edit', d.id));
        return { ...applyEdits(d.text, edits), counts };
      });
    }),
  );
  results.push(result('select + edit', n, edit));
  // Score + select + edit, audit off: the sum of the two stages' medians, measured in this run.
  const scoring = results.find((r) => r.stage.includes('audit off'))!.medianCpuSeconds;
  results.push(result('score + select + edit, audit off (sum of the two)', n, [scoring + median(edit)]));

  const stats = Array.from({ length: runs }, () =>
    cpuSeconds(() => {
      const s = new CorpusStats();
      docs.forEach((d, i) => s.add(d.text, scores[i]));
    }),
  );
  results.push(result('audit statistics', n, stats));

  const out = join(work, 'stage-write.jsonl');
  const write = Array.from({ length: runs }, () =>
    cpuSeconds(() => {
      const fd = openSync(out, 'w');
      docs.forEach((d, i) => {
        const e = edited[i];
        writeSync(fd, JSON.stringify({ id: d.id, text: e.text, tailguard: e.counts }) + '\n');
        writeSync(fd, JSON.stringify({ id: d.id, ...e.counts, edits: e.applied }) + '\n');
      });
      closeSync(fd);
    }),
  );
  results.push(result('write (edited + edit log JSONL)', n, write));

  const genTokens = generateDocs.map((d) => prior.tokenize(d.text));
  let generated = 0;
  const gen: number[] = [];
  for (let r = 0; r < runs; r++) {
    prior = await open();
    const items = generateDocs.map((d, i) => ({ text: d.text, tokens: genTokens[i], rng: rngFor(config.seed, 'synthetic', d.id) }));
    gen.push(await cpuSecondsAsync(async () => void (generated = (await generateContinuations(prior, items, config.synthetic)).reduce((s, c) => s + c.generatedTokens, 0))));
  }
  results.push(result('generate', generated, gen));
  return results;
}
