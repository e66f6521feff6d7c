import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import pLimit from 'p-limit';
import { TailguardError } from '../errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../pipeline/run-folder.js';
import { type AggregatedRegime, aggregate } from './aggregate.js';
import type { SimulationConfig } from './config.js';
import { type BrownWords, loadBrownWords } from './data.js';
import { type RepeatResult, runRepeat } from './repeat.js';
import { SIM_FILES, resultsCsv, summaryCsv } from './tables.js';
import { simulationHtml } from './report.js';

export interface SimulateOptions {
  /** Output folder (default: runs/<name>). */
  out?: string;
  /** Replace earlier results in the output folder. */
  force?: boolean;
  /** Worker threads (default: the config's, else one per CPU; 1 runs in this thread). */
  workers?: number;
  log?: (message: string) => void;
}

/** Everything a simulation wrote to results.json. */
export interface SimulationResults {
  name: string;
  description?: string;
  config: SimulationConfig;
  seeds: number[];
  workers: number;
  wallSeconds: number;
  repeats: Omit<RepeatResult, 'regimes'>[];
  regimes: AggregatedRegime[];
}

/**
 * Run every regime for every repeat (seeds seed, seed + 1, …), in parallel worker threads, and
 * write results.json, results.csv (one row per seed), summary.csv (mean and spread) and
 * report.html (curves per metric) to the output folder.
 */
export async function runSimulation(config: SimulationConfig, options: SimulateOptions = {}): Promise<{ dir: string; results: SimulationResults }> {
  const log = options.log ?? (() => {});
  const dir = options.out ?? join('runs', config.name);
  if (existsSync(join(dir, SIM_FILES.results)) && !options.force) throw new TailguardError('output', `${dir} holds simulation results; pass --force to replace them or --out to write elsewhere`);
  const brown = await loadBrownWords();
  checkGenres(config, brown);
  await mkdir(dir, { recursive: true });
  const seeds = Array.from({ length: config.repeats }, (_, r) => config.seed + r);
  const workers = Math.min(seeds.length, options.workers ?? config.workers ?? availableParallelism());
  const started = performance.now();
  const limit = pLimit(workers);
  const repeats = await Promise.all(
    seeds.map((seed) =>
      limit(async () => {
        const result = workers > 1 ? await inWorker(config, seed) : runRepeat(config, brown, seed);
        log(`seed ${seed}: ${result.regimes.length} regimes in ${result.seconds.toFixed(1)}s`);
        return result;
      }),
    ),
  );
  const results: SimulationResults = {
    name: config.name,
    description: config.description,
    config,
    seeds,
    workers,
    wallSeconds: (performance.now() - started) / 1000,
    repeats: repeats.map(({ regimes: _, ...meta }) => meta),
    regimes: aggregate(repeats.map((r) => r.regimes)),
  };
  await writeFileAtomic(join(dir, SIM_FILES.csv), resultsCsv(repeats));
  await writeFileAtomic(join(dir, SIM_FILES.summary), summaryCsv(results.regimes));
  await writeFileAtomic(join(dir, SIM_FILES.html), simulationHtml(results));
  // Last: results.json marks the folder as finished.
  await writeJsonAtomic(join(dir, SIM_FILES.results), results);
  return { dir, results };
}

/** A genre the fixed-share generator names must exist, checked before any work. */
function checkGenres(config: SimulationConfig, brown: BrownWords): void {
  const genres = new Set(brown.genres);
  config.regimes.forEach((r, i) => {
    if (r.type === 'fixed-share' && r.generator.genre !== undefined && !genres.has(r.generator.genre)) {
      throw new TailguardError('config', `regimes.${i}.generator.genre: no Brown genre "${r.generator.genre}"; genres are ${[...genres].sort().join(', ')}`);
    }
  });
}

/** One repeat in a worker thread. */
function inWorker(config: SimulationConfig, seed: number): Promise<RepeatResult> {
  return new Promise((resolve, reject) => {
    const worker = startWorker({ config, seed });
    worker.once('message', resolve);
    worker.once('error', (e) => reject(new TailguardError('internal', `simulation worker for seed ${seed} failed: ${e.message}`, { cause: e })));
    worker.once('exit', (code) => code !== 0 && reject(new TailguardError('internal', `simulation worker for seed ${seed} exited with code ${code}`)));
  });
}

/** The worker module has this module's extension: .js when built, .ts when run from sources. */
function startWorker(workerData: unknown): Worker {
  const ext = extname(fileURLToPath(import.meta.url));
  const url = new URL(`./worker${ext}`, import.meta.url);
  if (ext === '.js') return new Worker(url, { workerData });
  // From sources (tests, development under tsx): a worker thread does not inherit tsx's loader, so it registers it first.
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((api) => { api.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
