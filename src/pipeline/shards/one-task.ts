import { join } from 'node:path';
import { checkCorpus } from '../../corpus/read.js';
import type { PriorModel } from '../../prior/types.js';
import type { PipelineConfig } from '../config.js';
import { openPrior } from '../../prior/open.js';
import { prepareRunFolder } from '../../run-io/run-folder.js';
import { ensurePlan } from './plan.js';
import { type TaskDone, isDone, loadDone, runTask } from './task.js';

export interface OneTaskOptions {
  out?: string;
  seed?: number;
  worldSize: number;
  rank: number;
  signal?: AbortSignal;
  log?: (message: string) => void;
  /** Use this prior instead of opening the one the config names (tests, library callers). */
  prior?: PriorModel;
}

/**
 * Run task `rank` of `worldSize` on this machine, as one element of an array job does: make the
 * plan if no task has yet, skip the task if it is finished, resume it from its checkpoint if it
 * was stopped. Merging (`mergeShards`) is a separate step once every task is done.
 */
export async function runOneTask(config: PipelineConfig, o: OneTaskOptions): Promise<{ dir: string; skipped: boolean; done: TaskDone }> {
  const log = o.log ?? (() => {});
  const dir = o.out ?? config.output.dir ?? join('runs', config.name);
  await checkCorpus(config.input);
  await prepareRunFolder(dir, { force: false, resume: true, inputs: config.input.format === 'brown' ? [] : [config.input.path] });
  let prior: PriorModel | undefined;
  const open = async () => o.prior ?? (prior ??= await openPrior(config.prior, log));
  const plan = await ensurePlan(config, dir, { worldSize: o.worldSize, seed: o.seed ?? config.seed, log, prior: open });
  if (isDone(dir, o.rank)) return { dir, skipped: true, done: await loadDone(dir, o.rank) };
  try {
    return { dir, ...(await runTask(plan, dir, o.rank, { prior: await open(), signal: o.signal })) };
  } finally {
    await prior?.dispose();
  }
}
