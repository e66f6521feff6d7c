import { TailguardError } from '../errors.js';
import { type PipelineConfig, loadPipeline, parsePipeline } from '../pipeline/config.js';
import { runPipeline } from '../pipeline/run.js';
import { runSharded } from '../pipeline/shards/dispatch.js';
import { type Command, type FlagValues, OUTPUT_FLAGS, defineCommand, expectArgs, int, logger, seconds } from './command.js';
import { refuseTogether, refuseUnless } from './flag-rules.js';
import { EDIT_FLAGS, EDIT_FLAGS_HELP, FIELD_FLAGS, FIELD_FLAGS_HELP, GENERATE_FLAGS, GENERATE_FLAGS_HELP, applyPipelineFlags } from './pipeline-flags.js';
import { printRun } from './print-run.js';
import { withSignals } from './signals.js';
import { STDOUT, runToStdout } from './stdout-run.js';

/** Flags of every command that runs a pipeline: `run`, and `score`, `edit`, `generate`. */
export const RUN_FLAGS = {
  ...OUTPUT_FLAGS,
  seed: { type: 'string' },
  limit: { type: 'string' },
  resume: { type: 'boolean' },
  strict: { type: 'boolean' },
} as const;

export const RUN_OPTIONS_HELP = `
Options:
  --out DIR        output folder (default: runs/<pipeline name>); --out - writes the corpus
                   (edited, else synthetic, else scores) to standard output as JSONL and
                   keeps no folder (the summary and messages go to standard error)
  --seed N         run seed (default: the pipeline's)
  --limit N        process at most N documents
  --force          replace a finished (or interrupted) run in the output folder
  --resume         continue the interrupted run in the output folder from its checkpoint
  --strict         stop at the first bad input record instead of writing it to rejects.jsonl
  --json           print the summary as JSON
  --quiet          no log lines and no progress bar
  -h, --help       this help`;

const HELP = `Usage: tailguard run <pipeline.json> [options]

Runs a declarative pipeline (see pipelines/) and writes edited.jsonl, synthetic.jsonl, edits.jsonl,
rejects.jsonl and manifest.json to the output folder, then prints a summary.
${RUN_OPTIONS_HELP}

Pipeline keys (each flag overrides the key named in brackets; a flag whose stage is off, or
whose input has no fields, is refused):${EDIT_FLAGS_HELP}${GENERATE_FLAGS_HELP}${FIELD_FLAGS_HELP}

Sharded runs (the same files as one run, byte for byte):
  --world-size N   split the corpus into N tasks (also TAILGUARD_WORLD_SIZE); inside files too
  --workers W      run the tasks on W worker processes here, then merge (default: one per CPU;
                   one with a neural prior, whose onnxruntime uses every core already)
  --rank R         run only task R (also TAILGUARD_RANK), e.g. one element of an array job;
                   then \`tailguard merge <out>\` once every task is done
  --executor E     local (default), slurm or bullmq
                   slurm: plan here, write <out>/slurm/tasks.sbatch (an array job, at most
                   --workers at once) and merge.sbatch, submit both with sbatch
                   bullmq: plan here, queue one job per task in Redis, wait while
                   \`tailguard worker\` processes (any machines that see <out> at the same path)
                   run them, then merge
  --sbatch=ARG     an #SBATCH line for the Slurm jobs, e.g. --sbatch=--partition=cpu (repeatable)
  --dry-run        with --executor slurm: write the scripts, do not submit
  --redis URL      with --executor bullmq: the Redis server, e.g. redis://10.0.0.5:6379
  --queue NAME     with --executor bullmq: the queue (default: one per output folder)
  --lock-seconds S with --executor bullmq: as given to the workers; stalled jobs are looked for
                   every S/2 seconds (default 60)
  A relaunch skips finished tasks and resumes the others from their checkpoints.

Example:
  tailguard run pipelines/toedit-ngram.json --seed 7 --out runs/seed7
  tailguard run pipelines/toedit-ngram.json --target-share 0.2 --top-p 0.9 --out runs/share20
  tailguard run pipelines/toedit-ngram.json --world-size 8 --workers 4 --out runs/sharded
  tailguard run pipelines/toedit-ngram.json --world-size 64 --executor bullmq --redis redis://10.0.0.5:6379 --out /shared/runs/big`;

const SHARD_FLAGS = {
  'world-size': { type: 'string' },
  rank: { type: 'string' },
  workers: { type: 'string' },
  executor: { type: 'string' },
  sbatch: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  redis: { type: 'string' },
  queue: { type: 'string' },
  'lock-seconds': { type: 'string' },
} as const;

/** Run a pipeline once, with a clean stop on SIGINT/SIGTERM; print the summary (on stderr when the corpus goes to stdout, --out -). */
export async function runOnce(config: PipelineConfig, v: FlagValues<typeof RUN_FLAGS>, argv: string[]): Promise<number> {
  refuseTogether(argv[0], v, ['resume', 'force'], '--force starts over, --resume continues the interrupted run');
  const log = logger(v.quiet);
  const toStdout = v.out === STDOUT;
  const run = (out: string | undefined, signal: AbortSignal) =>
    runPipeline(config, { out, seed: int('seed', v.seed), limit: int('limit', v.limit), force: v.force ?? false, resume: v.resume ?? false, strict: v.strict ?? false, signal, progress: v.quiet ? false : undefined, log });
  const result = await withSignals(argv, (signal) => (toStdout ? runToStdout(config, v.resume, log, (dir) => run(dir, signal)) : run(v.out, signal)), !toStdout);
  return printRun(result, v.json, toStdout);
}

export const runCommand: Command = defineCommand('run', HELP, { ...RUN_FLAGS, ...SHARD_FLAGS, ...EDIT_FLAGS, ...GENERATE_FLAGS, ...FIELD_FLAGS }, async (v, positionals, argv) => {
  expectArgs('run', positionals, 'pipeline file');
  const file = positionals[0];
  const config = parsePipeline(applyPipelineFlags('run', await loadPipeline(file), v), `${file} with flags`);
  const worldSize = int('world-size', v['world-size'] ?? process.env.TAILGUARD_WORLD_SIZE);
  const rank = int('rank', v.rank ?? process.env.TAILGUARD_RANK);
  if (worldSize !== undefined && v.out === STDOUT) throw new TailguardError('config', '--out - cannot be used with --world-size: the tasks and the merge need a run folder');
  if (worldSize === undefined) {
    if (rank !== undefined) throw new TailguardError('config', '--rank needs --world-size (or TAILGUARD_WORLD_SIZE): the number of tasks the run is split into');
    refuseUnless('run', v, Object.keys(SHARD_FLAGS), false, 'it is for sharded runs; give --world-size N too');
    return runOnce(config, v, argv);
  }
  const executor = v.executor ?? 'local';
  refuseUnless('run', v, ['sbatch', 'dry-run'], executor === 'slurm', 'it is for --executor slurm');
  refuseUnless('run', v, ['redis', 'queue', 'lock-seconds'], executor === 'bullmq', 'it is for --executor bullmq');
  for (const flag of ['limit', 'strict', 'resume'] as const) {
    if (v[flag] !== undefined) throw new TailguardError('config', `--${flag} cannot be used with --world-size${flag === 'resume' ? ': a relaunch resumes by itself' : ': it needs one reader over the whole corpus'}`);
  }
  const lockSeconds = seconds('lock-seconds', v['lock-seconds']);
  const options = { worldSize, rank, executor: v.executor, out: v.out, seed: int('seed', v.seed), force: v.force ?? false, workers: int('workers', v.workers), sbatch: v.sbatch, submit: !v['dry-run'], redis: v.redis, queue: v.queue, lockSeconds, log: logger(v.quiet) };
  const outcome = await withSignals(argv, (signal) => runSharded(config, { ...options, signal }));
  if (outcome.kind === 'run') return printRun(outcome.result, v.json);
  console.log(v.json ? JSON.stringify({ message: outcome.message }) : outcome.message);
  return 0;
});
