import { parentPort, workerData } from 'node:worker_threads';
import type { SimulationConfig } from './config.js';
import { loadBrownWords } from './data.js';
import { runRepeat } from './repeat.js';

/** Worker thread: one repeat (seed) of a simulation; posts its RepeatResult back. */
const { config, seed } = workerData as { config: SimulationConfig; seed: number };
parentPort!.postMessage(runRepeat(config, await loadBrownWords(), seed));
