import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { checkCorpus } from '../../corpus/read.js';
import { TailguardError } from '../../errors.js';
import { shellQuote } from '../../shell-quote.js';
import type { PriorModel } from '../../prior/types.js';
import type { PipelineConfig } from '../config.js';
import { openPrior } from '../../prior/open.js';
import { SLURM_DIR, prepareRunFolder } from '../../run-io/run-folder.js';
import { ensurePlan } from './plan.js';

export interface SlurmOptions {
  out?: string;
  seed?: number;
  worldSize: number;
  /** At most this many array tasks at once (`--array=0-N%W`). */
  workers?: number;
  /** Extra `#SBATCH` lines for both jobs, e.g. `--partition=cpu`, `--time=04:00:00`. */
  sbatch?: string[];
  /** Submit with sbatch; otherwise only write the scripts. */
  submit: boolean;
  force?: boolean;
  log?: (message: string) => void;
}

export interface SlurmSubmission {
  dir: string;
  scripts: { tasks: string; merge: string };
  /** Job ids, when submitted. */
  jobs?: { tasks: string; merge: string };
}

/**
 * The Slurm executor, after datatrove's: plan the run here (the calibrated threshold included),
 * write an sbatch array script (element i runs task i, resuming it if an earlier attempt
 * stopped) and a merge script, and submit the merge to start after every element succeeded
 * (`--dependency=afterok`). Both scripts are plain bash outside Slurm too: `SLURM_ARRAY_TASK_ID=3
 * bash tasks.sbatch` runs task 3 here. Logs go to `<out>/slurm/logs/`.
 */
export async function runSlurm(config: PipelineConfig, o: SlurmOptions): Promise<SlurmSubmission> {
  const log = o.log ?? (() => {});
  const dir = resolve(o.out ?? config.output.dir ?? join('runs', config.name));
  await checkCorpus(config.input);
  await prepareRunFolder(dir, { force: o.force ?? false, resume: true, inputs: config.input.format === 'brown' ? [] : [config.input.path] });
  let opened: PriorModel | undefined;
  const seed = o.seed ?? config.seed;
  await ensurePlan(config, dir, { worldSize: o.worldSize, seed, log, prior: async () => (opened = await openPrior(config.prior, log)) });
  await opened?.dispose();

  const slurm = join(dir, SLURM_DIR);
  await mkdir(join(slurm, 'logs'), { recursive: true });
  // The tasks read the validated pipeline written here, so a later edit of the user's file cannot split the run.
  const pipeline = join(slurm, 'pipeline.json');
  await writeFile(pipeline, JSON.stringify(config, null, 2) + '\n');
  const tailguard = [process.execPath, ...cliArgs()].map(shellQuote).join(' ');
  const header = (name: string, extra: string[]) => ['#!/bin/bash', `#SBATCH --job-name=${shellQuote(name)}`, ...extra, ...(o.sbatch ?? []).map((a) => `#SBATCH ${a}`), 'set -euo pipefail', `cd ${shellQuote(process.cwd())}`];
  const array = `0-${o.worldSize - 1}${o.workers ? `%${o.workers}` : ''}`;
  const tasks = [
    ...header(`tailguard-${config.name}`, [`#SBATCH --array=${array}`, `#SBATCH --output=${shellQuote(join(slurm, 'logs', 'task-%a.out'))}`]),
    `export TAILGUARD_WORLD_SIZE=${o.worldSize}`,
    'export TAILGUARD_RANK="${SLURM_ARRAY_TASK_ID:?run as an array job, or set SLURM_ARRAY_TASK_ID}"',
    `exec ${tailguard} run ${shellQuote(pipeline)} --out ${shellQuote(dir)} --seed ${seed} --quiet`,
  ];
  const merge = [...header(`tailguard-${config.name}-merge`, [`#SBATCH --output=${shellQuote(join(slurm, 'logs', 'merge.out'))}`]), `exec ${tailguard} merge ${shellQuote(dir)}`];
  const scripts = { tasks: join(slurm, 'tasks.sbatch'), merge: join(slurm, 'merge.sbatch') };
  for (const [path, lines] of [[scripts.tasks, tasks], [scripts.merge, merge]] as const) {
    await writeFile(path, lines.join('\n') + '\n');
    await chmod(path, 0o755);
  }
  if (!o.submit) return { dir, scripts };
  const tasksJob = await sbatch(['--parsable', scripts.tasks]);
  const mergeJob = await sbatch(['--parsable', `--dependency=afterok:${tasksJob}`, scripts.merge]);
  log(`submitted array job ${tasksJob} (${o.worldSize} tasks) and merge job ${mergeJob}`);
  return { dir, scripts, jobs: { tasks: tasksJob, merge: mergeJob } };
}

/** How to start this CLI again: its built module, or its source under tsx's loader. */
function cliArgs(): string[] {
  const ext = extname(fileURLToPath(import.meta.url));
  const cli = fileURLToPath(new URL(`../../cli${ext}`, import.meta.url));
  return ext === '.js' ? [cli] : ['--import', 'tsx', cli];
}

async function sbatch(args: string[]): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('sbatch', args);
    // --parsable prints "<job id>" or "<job id>;<cluster>".
    return stdout.trim().split(';')[0];
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new TailguardError('config', 'sbatch not found: run on a Slurm login node, or pass --dry-run to write the scripts only', { cause: e });
    throw new TailguardError('internal', `sbatch ${args.join(' ')} failed: ${err.stderr?.trim() || err.message}`, { cause: e });
  }
}
