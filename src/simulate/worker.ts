import { parentPort, workerData } from 'node:worker_threads';
import type { SimulationConfig } from './config.js';
import { loadBrownWords } from './data.js';
import { prepareRepeat, repeatData, runRegime } from './repeat.js';
import type { SimContext } from './step.js';

/**
 * Worker thread of a simulation: loads Brown once, then runs one (seed, regime) task per message
 * and posts its RegimeRun back. Tasks arrive seed by seed, so the repeat's context (real set,
 * vocabulary, generation-0 models) is kept for the next task of the same seed.
 */
const { config } = workerData as { config: SimulationConfig };
const brown = await loadBrownWords();
let ctx: SimContext | undefined;
// Tasks come one at a time (the pool posts the next only after this one's answer), so an async handler never overlaps another.
parentPort!.on('message', async ({ seed, index }: { seed: number; index: number }) => {
  const started = performance.now();
  if (ctx?.seed !== seed) ctx = prepareRepeat(config, brown, seed);
  const run = await runRegime(ctx, index);
  parentPort!.postMessage({ seed, index, run, data: repeatData(ctx), seconds: (performance.now() - started) / 1000 });
});
