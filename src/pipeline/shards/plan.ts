import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { splitCorpus } from '../../corpus/partition.js';
import { readCorpus } from '../../corpus/read.js';
import type { CorpusPiece } from '../../corpus/units.js';
import type { Calibration } from '../../edit/threshold.js';
import { TailguardError } from '../../errors.js';
import type { PriorIdentity, PriorModel } from '../../prior/types.js';
import { calibrate } from '../../edit/calibrate.js';
import { readLockedSpans } from '../../edit/provenance.js';
import { type InputIdentity, firstDifference, inputIdentity, outputSettings } from '../checkpoint.js';
import { type PipelineConfig, calibratedSelection } from '../config.js';
import { TASKS_DIR } from '../../run-io/run-folder.js';
import { calibrationRule, decideThreshold } from '../run-context.js';

/**
 * What every task of a sharded run shares, decided once: the pipeline and seed, the input (which
 * must not change), the pieces of the corpus each task reads, and the edit threshold. A
 * calibrated threshold comes from the whole corpus, as in a single-machine run, so every shard
 * edits with the same p.
 */
export interface ShardPlan {
  version: 1;
  worldSize: number;
  config: PipelineConfig;
  seed: number;
  settings: unknown;
  input: InputIdentity | null;
  threshold: number;
  calibration: Calibration | null;
  prior: PriorIdentity;
  tasks: CorpusPiece[][];
}

const PLAN = 'plan.json';

/** Where the plan of the sharded run in `dir` is. */
export function planPath(dir: string): string {
  return join(dir, TASKS_DIR, PLAN);
}

/** The folder of task `rank`: its output parts, checkpoint and completion marker. */
export function taskDir(dir: string, rank: number): string {
  return join(dir, TASKS_DIR, String(rank).padStart(5, '0'));
}

/**
 * Where a new plan gets the prior's identity and the calibrated threshold from. By default
 * (`serialPlanner`) the prior is opened here and the whole corpus scored in one pass; the local
 * executor has its worker pool calibrate the tasks in parallel instead.
 */
export interface Planner {
  identity(): Promise<PriorIdentity>;
  /** The threshold a single run would calibrate, `tasks` being the corpus cut in order. */
  calibrate(tasks: CorpusPiece[][]): Promise<Calibration>;
}

/**
 * The plan of the sharded run in `dir`: the one there, if it was made with the same settings,
 * world size and input (anything else is refused, naming what differs); otherwise a new one,
 * opening the prior only to calibrate and name it. Tasks launched together may each make it:
 * they compute the same plan and the last rename wins.
 */
export async function ensurePlan(config: PipelineConfig, dir: string, o: { worldSize: number; seed: number; prior: (() => Promise<PriorModel>) | Planner; log: (m: string) => void }): Promise<ShardPlan> {
  if (config.limit !== undefined) throw new TailguardError('config', `"limit" cannot be used with a sharded run: which documents come first is known only to a single reader; remove it or run on one machine`);
  const settings = outputSettings(config, o.seed, undefined);
  const input = await inputIdentity(config);
  const path = planPath(dir);
  if (existsSync(path)) {
    const plan = await loadPlan(dir);
    const differs = firstDifference({ settings: plan.settings, worldSize: plan.worldSize }, { settings, worldSize: o.worldSize });
    if (differs !== null) throw new TailguardError('config', `the sharded run in ${dir} was planned with other settings (${differs}); use the same pipeline, seed and world size, or start over with --force`);
    if (JSON.stringify(plan.input) !== JSON.stringify(input)) throw new TailguardError('input', `the input ${config.input.format === 'brown' ? '' : config.input.path} changed since the sharded run in ${dir} was planned; start over with --force`);
    return plan;
  }
  const tasks = await splitCorpus(config.input, o.worldSize);
  const planner = typeof o.prior === 'function' ? serialPlanner(config, o.prior) : o.prior;
  const { threshold, calibration } = await decideThreshold(config, async () => {
    const c = await planner.calibrate(tasks);
    o.log(`calibrated threshold p = ${c.p.toPrecision(4)} for all ${o.worldSize} tasks`);
    return c;
  });
  const plan: ShardPlan = { version: 1, worldSize: o.worldSize, config, seed: o.seed, settings, input, threshold, calibration, prior: await planner.identity(), tasks };
  await mkdir(join(dir, TASKS_DIR), { recursive: true });
  // A name of its own per writer: tasks making the plan at once must not write into one file.
  const tmp = `${path}.${randomUUID()}.partial`;
  await writeFile(tmp, JSON.stringify(plan, null, 2) + '\n');
  await rename(tmp, path);
  return plan;
}

/** Open the prior here and calibrate on the whole corpus in one pass, as a single run does. */
function serialPlanner(config: PipelineConfig, opener: () => Promise<PriorModel>): Planner {
  let opened: Promise<PriorModel> | undefined;
  const open = () => (opened ??= opener());
  return {
    identity: async () => (await open()).identity,
    calibrate: async () => {
      const selection = calibratedSelection(config);
      // Scores are not kept here: each task scores its own documents, bit for bit as a single run would.
      const keep = { topK: 0, maxTokens: 0, entropy: false, allCandidates: false, rank: false };
      const locks = config.edit.lockedFrom ? await readLockedSpans(config.edit.lockedFrom) : undefined;
      return (await calibrate(await open(), () => readCorpus(config.input), selection, config.batchSize, calibrationRule(config, locks), keep)).calibration;
    },
  };
}

export async function loadPlan(dir: string): Promise<ShardPlan> {
  const path = planPath(dir);
  let plan: ShardPlan;
  try {
    plan = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new TailguardError('output', `${path}: no readable plan of a sharded run (${(e as Error).message}); start the run with --world-size first`, { file: path, cause: e });
  }
  if (plan.version !== 1) throw new TailguardError('output', `${path}: plan version ${plan.version} is not supported; start over with --force`);
  return plan;
}
