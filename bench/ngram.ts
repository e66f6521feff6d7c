/**
 * Benchmark of the n-gram path: tokens/s of score + edit, of synthetic generation, and peak
 * memory, on the Brown held-out split at 1x and 10x its size. Each configuration runs in a fresh
 * process (the built CLI), several times; the table shows medians. Then each stage's rate in one
 * process (bench/stages.ts), and Tailguard's scoring rate next to IRSTLM's on the same words
 * (bench/irstlm.ts). JSON goes to bench/results/ngram.json.
 *
 *   make bench            (or: node --import tsx bench/ngram.ts [--runs N] [--stages-only])
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBrown } from '../src/corpus/brown.js';
import { loadPipeline } from '../src/pipeline/config.js';
import { NGramPrior } from '../src/prior/ngram/prior.js';
import { benchIrstlm } from './irstlm.js';
import { type Doc, benchStages } from './stages.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
const work = mkdtempSync(join(tmpdir(), 'tailguard-bench-'));

/** The held-out split repeated `times` times as JSONL, with distinct ids. */
async function corpus(times: number): Promise<string> {
  const file = join(work, `heldout-x${times}.jsonl`);
  const out = createWriteStream(file);
  for (let r = 0; r < times; r++) {
    for await (const d of readBrown('heldout')) if (!out.write(JSON.stringify({ id: `${d.id}#${r}`, text: d.text, category: d.meta.category }) + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return file;
}

interface Case {
  name: string;
  times: number;
  edit: boolean;
  synthetic: boolean;
}

function runOnce(c: Case, input: string, i: number) {
  const base = JSON.parse(readFileSync('pipelines/toedit-ngram.json', 'utf8'));
  const pipeline = {
    ...base,
    name: `bench-${c.name}`,
    input: { format: 'jsonl', path: input },
    edit: { ...base.edit, enabled: c.edit, selection: { mode: 'absolute', p: 0.99 } },
    synthetic: { ...base.synthetic, enabled: c.synthetic },
    audit: { enabled: false }, // measured on its own: here only reading, scoring, editing, writing
  };
  const file = join(work, `${c.name}.json`);
  writeFileSync(file, JSON.stringify(pipeline));
  const out = join(work, `${c.name}-${i}`);
  execFileSync(process.execPath, ['dist/src/cli.js', 'run', file, '--out', out, '--quiet', '--force'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  const units = c.synthetic ? m.summary.syntheticTokens : m.summary.tokens;
  // Per CPU second too: on a shared machine the processing pass's wall time mostly measures the other jobs.
  return { tokens: m.summary.tokens, unitsPerSecond: units / m.timings.processSeconds, unitsPerCpuSecond: units / m.timings.processCpuSeconds, processSeconds: m.timings.processSeconds, processCpuSeconds: m.timings.processCpuSeconds, wallSeconds: m.timings.wallSeconds, peakRssMB: m.timings.peakRssMB };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const cases: Case[] = [
  { name: 'score-edit-1x', times: 1, edit: true, synthetic: false },
  { name: 'score-edit-10x', times: 10, edit: true, synthetic: false },
  { name: 'generate-1x', times: 1, edit: false, synthetic: true },
];
const inputs = new Map<number, string>();
for (const c of cases) if (!inputs.has(c.times)) inputs.set(c.times, await corpus(c.times));

// Warm the n-gram cache file so no measured run includes training.
runOnce({ name: 'warmup', times: 1, edit: true, synthetic: false }, inputs.get(1)!, 0);

// --stages-only: skip the whole-run cases (for iterating on one stage).
const results = (process.argv.includes('--stages-only') ? [] : cases).map((c) => {
  const samples = Array.from({ length: runs }, (_, i) => runOnce(c, inputs.get(c.times)!, i));
  return {
    case: c.name,
    tokens: samples[0].tokens,
    runs,
    medianUnitsPerSecond: Math.round(median(samples.map((s) => s.unitsPerSecond))),
    medianUnitsPerCpuSecond: Math.round(median(samples.map((s) => s.unitsPerCpuSecond))),
    unit: c.synthetic ? 'generated tokens/s' : 'scored+edited tokens/s',
    medianProcessSeconds: median(samples.map((s) => s.processSeconds)),
    medianWallSeconds: median(samples.map((s) => s.wallSeconds)),
    medianPeakRssMB: median(samples.map((s) => s.peakRssMB)),
    samples,
  };
});

const config = await loadPipeline('pipelines/toedit-ngram.json');
const readDocs = (file: string): Doc[] => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const stages = await benchStages(config, readDocs(inputs.get(10)!), readDocs(inputs.get(1)!), runs, work);
const prior = config.prior.type === 'ngram' ? await NGramPrior.load(config.prior.file) : null;
const train: string[] = [];
for await (const d of readBrown('train')) train.push(d.text);
const irstlm = benchIrstlm({ order: prior!.model.order, train, heldout: readDocs(inputs.get(10)!).map((d) => d.text), runs, work, log: (m) => console.error(m) });

mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/ngram.json', JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).cpus().length, loadAverage: (await import('node:os')).loadavg(), results, stages, irstlm }, null, 2));
console.log(`n-gram path, medians of ${runs} runs (bench/results/ngram.json)`);
console.log('case               tokens   throughput (wall)            per CPU s  process s  wall s  peak RSS MB');
for (const r of results) console.log(`${r.case.padEnd(18)} ${String(r.tokens).padStart(8)}   ${`${r.medianUnitsPerSecond} ${r.unit}`.padEnd(28)} ${String(r.medianUnitsPerCpuSecond).padStart(9)}  ${r.medianProcessSeconds.toFixed(1).padStart(9)}  ${r.medianWallSeconds.toFixed(1).padStart(6)}  ${String(r.medianPeakRssMB).padStart(11)}`);
console.log(`\nstages in one process, held-out x10 (generation: x1), CPU seconds of one core, medians of ${runs}`);
console.log('stage                                                            units   CPU s   units/s');
for (const s of stages) console.log(`${s.stage.padEnd(62)} ${String(s.units).padStart(8)}  ${s.medianCpuSeconds.toFixed(3).padStart(6)}  ${(s.units > 1 ? String(s.medianUnitsPerSecond) : '').padStart(8)}`);
const scoring = stages.find((s) => s.stage.startsWith('score: log-prob'))!;
if (irstlm.available) {
  console.log(`\nIRSTLM ${irstlm.smoothing}${irstlm.installedNow ? ' (installed by this run)' : ''}: compile-lm --eval on the same ${irstlm.words} words,`);
  console.log(`load excluded (eval ${irstlm.evalCpuSeconds.toFixed(3)} CPU s - empty-file eval ${irstlm.loadCpuSeconds.toFixed(3)} CPU s), perplexity ${irstlm.perplexity}`);
  console.log(`  IRSTLM     ${String(irstlm.wordsPerSecond).padStart(9)} words/s`);
  console.log(`  Tailguard  ${String(scoring.medianUnitsPerSecond).padStart(9)} tokens/s (score: log-prob only)`);
  console.log(`  ratio      ${(scoring.medianUnitsPerSecond / irstlm.wordsPerSecond).toFixed(2)}x IRSTLM`);
} else {
  console.log(`\nIRSTLM not measured: ${irstlm.reason}`);
}
