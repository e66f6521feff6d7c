import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TailguardError } from '../errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../run-io/run-folder.js';
import { aggregate } from './aggregate.js';
import type { SimulationConfig } from './config.js';
import { type BrownWords, loadBrownWords } from './data.js';
import { type RepeatResult, runRepeat } from './repeat.js';
import type { SimulationResults } from './results.js';
import type { RegimeRun } from './step.js';
import { SIM_FILES, resultsCsv, summaryCsv } from './tables.js';
import { simulationHtml } from './report.js';
import { ItemCount } from '../progress.js';

export interface SimulateOptions {
  /** Output folder (default: runs/<name>). */
  out?: string;
  /** Replace earlier results in the output folder. */
  force?: boolean;
  /** Worker threads (default: the config's, else one per CPU; 1 runs in this thread). */
  workers?: number;
  log?: (message: string) => void;
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
  const workers = Math.min(seeds.length * config.regimes.length, options.workers ?? config.workers ?? availableParallelism());
  const started = performance.now();
  const count = new ItemCount(workers > 1 ? seeds.length * config.regimes.length : seeds.length);
  const repeats = workers > 1 ? await inWorkers(config, seeds, workers, (m) => log(`[${count.next()}] ${m}`)) : await inThread(config, brown, seeds, (m) => log(`[${count.next()}] ${m}`));
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

/** Every repeat in this thread, one after the other. */
async function inThread(config: SimulationConfig, brown: BrownWords, seeds: number[], log: (m: string) => void): Promise<RepeatResult[]> {
  const results: RepeatResult[] = [];
  for (const seed of seeds) {
    const result = await runRepeat(config, brown, seed);
    log(`seed ${seed}: ${result.regimes.length} regimes in ${result.seconds.toFixed(1)}s`);
    results.push(result);
  }
  return results;
}

interface TaskResult {
  seed: number;
  index: number;
  run: RegimeRun;
  data: Omit<RepeatResult, 'seconds' | 'regimes'>;
  seconds: number;
}

/**
 * Every (seed, regime) pair as one task for a pool of worker threads, each taking the next task
 * when it is done: regimes differ in cost by 20×, so whole seeds per worker would leave a core
 * idle at the end. Results are put back in seed and regime order.
 */
function inWorkers(config: SimulationConfig, seeds: number[], workers: number, log: (m: string) => void): Promise<RepeatResult[]> {
  const tasks = seeds.flatMap((seed) => config.regimes.map((_, index) => ({ seed, index })));
  const done = new Map<number, TaskResult[]>(seeds.map((s) => [s, []]));
  let next = 0;
  let finished = 0;
  return new Promise((resolve, reject) => {
    const pool = Array.from({ length: workers }, () => startWorker({ config }));
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      for (const w of pool) void w.terminate();
      reject(e instanceof TailguardError ? e : new TailguardError('internal', `simulation worker failed: ${(e as Error).message}`, { cause: e }));
    };
    for (const worker of pool) {
      // A worker is retired (terminated on purpose) once the queue is empty.
      let retired = false;
      const feed = () => {
        if (next < tasks.length) worker.postMessage(tasks[next++]);
        else {
          retired = true;
          void worker.terminate();
        }
      };
      worker.on('message', (t: TaskResult) => {
        done.get(t.seed)!.push(t);
        log(`seed ${t.seed}: ${t.run.name} in ${t.seconds.toFixed(1)}s`);
        feed();
        if (++finished === tasks.length) {
          resolve(
            seeds.map((seed) => {
              const results = done.get(seed)!.sort((a, b) => a.index - b.index);
              return { ...results[0].data, seconds: results.reduce((a, r) => a + r.seconds, 0), regimes: results.map((r) => r.run) };
            }),
          );
        }
      });
      worker.once('error', fail);
      worker.once('exit', (code) => {
        if (!retired) fail(new TailguardError('internal', `simulation worker exited early with code ${code}`));
      });
      feed();
    }
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
