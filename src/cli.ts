#!/usr/bin/env node
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { TailguardError, type ErrorCode } from './errors.js';
import { loadPipeline, parsePipeline, type PipelineConfig } from './pipeline/config.js';
import { type RunResult, runPipeline } from './pipeline/run.js';
import { runLocal } from './pipeline/shards/local.js';
import { mergeShards } from './pipeline/shards/merge.js';
import { runOneTask } from './pipeline/shards/one-task.js';
import { runSlurm } from './pipeline/shards/slurm.js';
import { type TaskStatus, shardStatus } from './pipeline/shards/status.js';
import { formatAudit, formatSummary } from './pipeline/summary.js';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CorpusStats } from './audit/corpus-stats.js';
import type { CorpusSpec } from './corpus/read.js';
import { isGlob } from './corpus/file-list.js';
import { FILE_FORMATS, type FileFormat, formatFromPath } from './corpus/formats.js';
import { auditCorpora } from './pipeline/audit-corpora.js';
import { openPrior } from './pipeline/open-prior.js';
import { writeJsonAtomic } from './pipeline/run-folder.js';
import { SIMULATE_HELP, simulateCommand } from './simulate/cli.js';
import { DETECT_HELP, detectCommand } from './detect/cli.js';
import { COMPARE_HELP, compareCommand } from './compare/cli.js';

/** Exit codes, documented in the README. */
const EXIT: Record<ErrorCode, number> = { internal: 1, config: 2, input: 3, model: 4, output: 5, interrupted: 130 };
/** Exit codes after a clean stop on a signal: 128 + the signal's number, as shells report it. */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };
/** Exit code of a run whose audit gate failed (outputs quarantined). */
const EXIT_GATE_FAILED = 6;
const DEFAULT_PIPELINE = 'pipelines/toedit-ngram.json';

const COMMON = `
Options:
  --out DIR        output folder (default: runs/<pipeline name>)
  --seed N         run seed (default: the pipeline's)
  --limit N        process at most N documents
  --force          replace a finished (or interrupted) run in the output folder
  --resume         continue the interrupted run in the output folder from its checkpoint
  --strict         stop at the first bad input record instead of writing it to rejects.jsonl
  --json           print the summary as JSON
  --quiet          no log lines and no progress bar
  -h, --help       this help`;

const FILE_OPTIONS = `
  <file> may also be brown:heldout, brown:train or brown:all (the built-in Brown corpus)
  --pipeline FILE  pipeline whose prior and settings to use (default: ${DEFAULT_PIPELINE})
  <file> may be a .jsonl, .json or .parquet file (.jsonl/.json also .gz or .zst compressed), a .txt
  file, a folder (a Hugging Face dataset folder, or any mix of those files) or a quoted glob
  such as 'data/train-*.parquet'
  --format F       jsonl | json | parquet | text: read every file as F (default: by extension)
  --split NAME     only the files of one Hugging Face split (train-00000-of-00002.parquet, …)
  --text-field F   field or column holding the text (default: text)
  --id-field F     field or column holding the id (default: id)`;

const HELP: Record<string, string> = {
  main: `tailguard: token-level editing (ToEdit) and synthetic-data audits for training corpora

Usage:
  tailguard run <pipeline.json> [options]   read, score, edit, generate, write a run folder
  tailguard score <file> [options]          per-token probabilities, ranks, entropy (scores.jsonl)
  tailguard edit <file> [options]           ToEdit only (edited.jsonl, edits.jsonl)
  tailguard generate <file> [options]       fully synthetic continuations only (synthetic.jsonl)
  tailguard merge <run folder>              merge the finished tasks of a sharded run into the run folder
  tailguard status <run folder>             the tasks of a sharded run: done, running, stalled, failed, pending
  tailguard worker --redis URL              run tasks of sharded runs queued with --executor bullmq
  tailguard audit <corpus...> [options]     audit corpora without editing (report.html, …)
  tailguard audit merge <stats...> --out F  merge statistics of shards into one file
  tailguard simulate <simulation.json>      model-collapse simulator: data regimes side by side on Brown
  tailguard detect <corpus> [options]       estimate the synthetic share of a corpus, calibrated on human text
  tailguard compare <comparison.json>       edit strategies side by side, with a downstream training check
  tailguard <command> --help                help for one command

Example:
  tailguard run pipelines/toedit-ngram.json --limit 10 --out runs/try`,
  run: `Usage: tailguard run <pipeline.json> [options]

Runs a declarative pipeline (see pipelines/) and writes edited.jsonl, synthetic.jsonl, edits.jsonl,
rejects.jsonl and manifest.json to the output folder, then prints a summary.
${COMMON}

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
  tailguard run pipelines/toedit-ngram.json --world-size 8 --workers 4 --out runs/sharded
  tailguard run pipelines/toedit-ngram.json --world-size 64 --executor bullmq --redis redis://10.0.0.5:6379 --out /shared/runs/big`,
  worker: `Usage: tailguard worker --redis URL [options]

Takes tasks of sharded runs queued with \`tailguard run --executor bullmq\` and runs them, one at a
time, until stopped. Start any number, on any machines that see the runs' output folders (and the
pipelines' inputs and models) at the same paths as the machine that ran \`tailguard run\`.
SIGINT/SIGTERM: the task under way saves a checkpoint and goes back to the queue, then the worker
exits (a second signal exits at once; the task is then taken up again once its lock expires).

Options:
  --redis URL        the Redis server the runs queue on, e.g. redis://10.0.0.5:6379
  --queue NAME       serve this queue only (default: every run registered in Redis, oldest first)
  --lock-seconds S   a job's lock, renewed every S/2 seconds; a worker that cannot renew it stops
                     writing, and the job goes to another worker (default 60)
  --quiet            no log lines

Example:
  tailguard worker --redis redis://10.0.0.5:6379`,
  merge: `Usage: tailguard merge <run folder> [--json] [--quiet]

Merges the finished tasks of a sharded run (tailguard run --world-size N --rank R) into the run
folder: edited.jsonl, synthetic.jsonl, edits.jsonl, rejects.jsonl, statistics, report and manifest,
as one run over the whole corpus writes them.`,
  status: `Usage: tailguard status <run folder> [--json]

Lists the tasks of a sharded run, from its folder (shared by the machines that run it):
  done      finished, with records and seconds
  running   its heartbeat (touched every 10 s) is fresh: host and pid
  stalled   its heartbeat stopped over 30 s ago: killed or its machine lost; a relaunch resumes it
  failed    stopped on an error, which is shown; a relaunch resumes it
  stopped   interrupted cleanly with a checkpoint
  pending   not started
then what is left to do.

Example:
  tailguard status runs/big`,
  score: `Usage: tailguard score <file> [options]

Scores every token of every document with the pipeline's prior and writes scores.jsonl.
${FILE_OPTIONS}${COMMON}

Example:
  tailguard score corpus.jsonl --out runs/scores`,
  edit: `Usage: tailguard edit <file> [options]

Applies the pipeline's edit stage (ToEdit by default) to a file: edited.jsonl and edits.jsonl.
${FILE_OPTIONS}
  --p P            absolute threshold: select tokens with P > p
  --target-share S calibrated threshold: select a share S of tokens${COMMON}

Example:
  tailguard edit corpus.jsonl --target-share 0.125 --out runs/edited`,
  generate: `Usage: tailguard generate <file> [options]

Continues the first tokens of every document with the prior to the document's length:
synthetic.jsonl.
${FILE_OPTIONS}
  --prompt-tokens N  tokens of each document kept as the prompt
  --temperature T    sampling temperature (default 1)
  --top-k K          keep the K most probable tokens (0 = off)
  --top-p P          nucleus sampling mass (1 = off)${COMMON}

Example:
  tailguard generate corpus.jsonl --top-p 0.9 --out runs/synthetic`,
};

HELP.audit = `Usage: tailguard audit <corpus...> [options]
       tailguard audit merge <stats.json...> --out merged.json

Audits corpora without editing them: n-gram diversity and concentration, perplexity and rank
buckets under the prior, each corpus compared with the reference (the first one, or --reference).
Writes report.json, report.md, report.html and stats.<name>.json (mergeable) to --out.
A corpus is a .jsonl/.json (also .gz, .zst) or .parquet file, a .txt file, a folder (Hugging Face
dataset folders, mixed files), a quoted glob, or brown:heldout / brown:train.
\`audit merge\` adds up stats.<name>.json files of shards into the statistics of the whole.

Options:
  --reference NAME   which corpus is the reference (file path or name; default: the first)
  --pipeline FILE    pipeline whose prior scores the corpora (default: ${DEFAULT_PIPELINE})
  --no-prior         n-gram metrics only, no scoring
  --out DIR          output folder (default: runs/audit); for merge, the output file
  --force            replace an earlier audit in the output folder
  --json             print the report's views and comparisons as JSON

Example:
  tailguard audit brown:heldout runs/toedit-ngram/synthetic.jsonl --out runs/audit`;

HELP.simulate = SIMULATE_HELP;
HELP.detect = DETECT_HELP;
HELP.compare = COMPARE_HELP;

const OPTIONS = {
  out: { type: 'string' },
  seed: { type: 'string' },
  limit: { type: 'string' },
  force: { type: 'boolean' },
  resume: { type: 'boolean' },
  strict: { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  reference: { type: 'string' },
  'no-prior': { type: 'boolean' },
  pipeline: { type: 'string' },
  format: { type: 'string' },
  'text-field': { type: 'string' },
  'id-field': { type: 'string' },
  split: { type: 'string' },
  p: { type: 'string' },
  'target-share': { type: 'string' },
  'prompt-tokens': { type: 'string' },
  temperature: { type: 'string' },
  'top-k': { type: 'string' },
  'top-p': { type: 'string' },
  repeats: { type: 'string' },
  workers: { type: 'string' },
  seeds: { type: 'string' },
  'world-size': { type: 'string' },
  rank: { type: 'string' },
  executor: { type: 'string' },
  sbatch: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  redis: { type: 'string' },
  queue: { type: 'string' },
  'lock-seconds': { type: 'string' },
} as const;

type Values = ReturnType<typeof parse>['values'];
function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

function int(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new TailguardError('config', `--${name} expects a non-negative integer, got "${value}"`);
  return n;
}

function num(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new TailguardError('config', `--${name} expects a number, got "${value}"`);
  return n;
}

/** The pipeline for a single-stage command: the base pipeline with the file as input and only that stage on. */
async function stagePipeline(command: string, file: string, v: Values): Promise<PipelineConfig> {
  const base = await loadPipeline(v.pipeline ?? DEFAULT_PIPELINE);
  const input = corpusSpec(file, v);
  const selection =
    v.p !== undefined ? { mode: 'absolute', p: num('p', v.p) } : v['target-share'] !== undefined ? { mode: 'calibrated', targetShare: num('target-share', v['target-share']) } : base.edit.selection;
  const synthetic = {
    ...base.synthetic,
    ...(v['prompt-tokens'] !== undefined && { promptTokens: int('prompt-tokens', v['prompt-tokens']) }),
    ...(v.temperature !== undefined && { temperature: num('temperature', v.temperature) }),
    ...(v['top-k'] !== undefined && { topK: int('top-k', v['top-k']) }),
    ...(v['top-p'] !== undefined && { topP: num('top-p', v['top-p']) }),
    enabled: command === 'generate',
  };
  return parsePipeline(
    { ...base, name: `${base.name}-${command}`, input, edit: { ...base.edit, selection, enabled: command === 'edit' }, synthetic, writeScores: command === 'score', output: {} },
    `${command} options`,
  );
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP.main);
    return command === undefined ? 2 : 0;
  }
  if (!(command in HELP) || command === 'main') {
    console.error(`tailguard: unknown command "${command}"\n\n${HELP.main}`);
    return 2;
  }
  // detect parses its own flags (src/detect/cli.ts).
  if (command === 'detect') return detectCommand(rest, corpusSpec);
  const { values: v, positionals } = parse(rest);
  if (v.help) {
    console.log(HELP[command]);
    return 0;
  }
  if (command === 'audit') return audit(positionals, v);
  if (command === 'simulate' && positionals.length === 1) {
    const flags = { out: v.out, seed: int('seed', v.seed), repeats: int('repeats', v.repeats), workers: int('workers', v.workers), force: v.force ?? false, json: v.json ?? false, quiet: v.quiet ?? false };
    return simulateCommand(positionals[0], flags);
  }
  if (command === 'worker') return worker(positionals, v);
  if (command === 'compare' && positionals.length === 1) {
    const flags = { out: v.out, seed: int('seed', v.seed), seeds: int('seeds', v.seeds), limit: int('limit', v.limit), force: v.force ?? false, json: v.json ?? false, quiet: v.quiet ?? false };
    return compareCommand(positionals[0], flags);
  }
  if (positionals.length !== 1) {
    console.error(`tailguard ${command}: expected one ${command === 'run' ? 'pipeline file' : 'input file'}, got ${positionals.length}\n\n${HELP[command]}`);
    return 2;
  }
  const log = v.quiet ? () => {} : (m: string) => console.error(m);
  if (command === 'merge') return printRun(await mergeShards(positionals[0], { log }), v);
  if (command === 'status') return printStatus(positionals[0], v);
  const config = command === 'run' ? await loadPipeline(positionals[0]) : await stagePipeline(command, positionals[0], v);
  const worldSize = int('world-size', v['world-size'] ?? process.env.TAILGUARD_WORLD_SIZE);
  const rank = int('rank', v.rank ?? process.env.TAILGUARD_RANK);
  if (worldSize !== undefined) return sharded(config, worldSize, rank, v, log, argv);
  if (rank !== undefined) throw new TailguardError('config', '--rank needs --world-size (or TAILGUARD_WORLD_SIZE): the number of tasks the run is split into');
  const result = await withSignals(argv, (signal) =>
    runPipeline(config, {
      out: v.out,
      seed: int('seed', v.seed),
      limit: int('limit', v.limit),
      force: v.force ?? false,
      resume: v.resume ?? false,
      strict: v.strict ?? false,
      signal,
      progress: v.quiet ? false : undefined,
      log,
    }),
  );
  return printRun(result, v);
}

function printRun(result: RunResult, v: Values): number {
  if (v.json) console.log(JSON.stringify({ ...result.summary, gate: result.report?.gate ?? null }, null, 2));
  else console.log(formatSummary(result.summary, result.dir) + (result.report ? `\n${formatAudit(result.report)}` : ''));
  return result.report && !result.report.gate.passed ? EXIT_GATE_FAILED : 0;
}

/** Where a running, stalled or failed task is, and its heartbeat or error. */
function taskWhere(t: TaskStatus): string {
  if (t.host === undefined) return '';
  if (t.state === 'failed') return `  on ${t.host} (pid ${t.pid}): ${t.error}`;
  return `  on ${t.host} (pid ${t.pid}), heartbeat ${t.heartbeatAge}s ago`;
}

async function printStatus(dir: string, v: Values): Promise<number> {
  const { worldSize, merged, tasks } = await shardStatus(dir);
  if (v.json) {
    console.log(JSON.stringify({ worldSize, merged, tasks }, null, 2));
    return 0;
  }
  for (const t of tasks) console.log(`task ${String(t.rank).padStart(5)}  ${t.state.padEnd(7)}  ${t.records} records${t.seconds === undefined ? '' : ` in ${t.seconds.toFixed(1)}s`}${taskWhere(t)}`);
  const count = (state: string) => tasks.filter((t) => t.state === state).length;
  const states = ['running', 'stalled', 'failed', 'stopped', 'pending'].filter((s) => count(s) > 0).map((s) => `${count(s)} ${s}`);
  console.log(`${count('done')} of ${worldSize} done${states.length ? `, ${states.join(', ')}` : ''}${count('done') === worldSize ? (merged ? ', merged' : `: merge with tailguard merge ${shellQuote(dir)}`) : ''}`);
  if (count('stalled') + count('failed') + count('stopped') > 0) console.log('relaunch the run (or the task) to resume stalled, failed and stopped tasks from their checkpoints');
  return 0;
}

/** A run split into tasks: one task (--rank), or all of them on worker processes here and then the merge. */
async function sharded(config: PipelineConfig, worldSize: number, rank: number | undefined, v: Values, log: (m: string) => void, argv: string[]): Promise<number> {
  if (worldSize < 1) throw new TailguardError('config', '--world-size expects at least 1 task');
  for (const flag of ['limit', 'strict', 'resume'] as const) {
    if (v[flag] !== undefined) throw new TailguardError('config', `--${flag} cannot be used with --world-size${flag === 'resume' ? ': a relaunch resumes by itself' : ': it needs one reader over the whole corpus'}`);
  }
  const seed = int('seed', v.seed);
  const executor = v.executor ?? 'local';
  if (executor !== 'local' && executor !== 'slurm' && executor !== 'bullmq') throw new TailguardError('config', `--executor expects local, slurm or bullmq, got "${executor}"`);
  if (executor === 'bullmq') {
    if (rank !== undefined) throw new TailguardError('config', '--rank and --executor bullmq do not go together: the workers take the tasks from the queue');
    if (v.workers !== undefined) throw new TailguardError('config', '--workers is not for --executor bullmq: start as many `tailguard worker` processes as you want instead');
    if (!v.redis) throw new TailguardError('config', '--executor bullmq needs --redis URL: the Redis server the workers take the tasks from, e.g. redis://127.0.0.1:6379');
    const { runBullmq } = await import('./pipeline/shards/bullmq.js');
    const o = { out: v.out, seed, worldSize, force: v.force ?? false, redis: v.redis, queue: v.queue, lockSeconds: lockSeconds(v), log };
    return printRun(await withSignals(argv, (signal) => runBullmq(config, { ...o, signal })), v);
  }
  if (executor === 'slurm') {
    if (rank !== undefined) throw new TailguardError('config', '--rank and --executor slurm do not go together: Slurm gives each array element its rank');
    const { scripts, jobs } = await runSlurm(config, { out: v.out, seed, worldSize, workers: int('workers', v.workers), sbatch: v.sbatch, submit: !v['dry-run'], force: v.force ?? false, log });
    console.log(jobs ? `submitted array job ${jobs.tasks} (${worldSize} tasks, ${scripts.tasks}) and merge job ${jobs.merge} (${scripts.merge})` : `wrote ${scripts.tasks} and ${scripts.merge}; submit with: sbatch ${shellQuote(scripts.tasks)}, then sbatch --dependency=afterok:<its job id> ${shellQuote(scripts.merge)}`);
    return 0;
  }
  if (rank === undefined) {
    const result = await withSignals(argv, (signal) => runLocal(config, { out: v.out, seed, worldSize, workers: int('workers', v.workers), force: v.force ?? false, signal, log }));
    return printRun(result, v);
  }
  if (v.force) throw new TailguardError('config', '--force cannot be used with --rank: it would clear the other tasks\' work; clear the folder before launching the tasks');
  const { dir, skipped, done } = await withSignals(argv, (signal) => runOneTask(config, { out: v.out, seed, worldSize, rank, signal, log }));
  const { read, written, rejected } = done.accounting.total;
  console.log(`task ${rank} of ${worldSize}: ${skipped ? 'finished earlier, skipped' : 'done'} (${read} read, ${written} written, ${rejected} rejected) in ${dir}`);
  return 0;
}

/** `tailguard worker`: serve BullMQ queues until SIGINT/SIGTERM, which it exits on (128 + the signal's number) once the task under way is back in the queue. */
async function worker(positionals: string[], v: Values): Promise<number> {
  if (positionals.length) throw new TailguardError('config', `tailguard worker takes no file, got ${positionals.join(' ')} (see --help)`);
  if (!v.redis) throw new TailguardError('config', 'tailguard worker needs --redis URL: the Redis server the runs queue their tasks on, e.g. redis://127.0.0.1:6379');
  const { serveBullmq } = await import('./pipeline/shards/bullmq-worker.js');
  const log = v.quiet ? () => {} : (m: string) => console.error(m);
  let stoppedBy: string | undefined;
  await withSignals([], (signal) => {
    signal.addEventListener('abort', () => (stoppedBy = signal.reason as string));
    return serveBullmq({ redis: v.redis!, queue: v.queue, lockSeconds: lockSeconds(v), signal, log });
  });
  return stoppedBy ? (SIGNAL_EXIT[stoppedBy] ?? 0) : 0;
}

function lockSeconds(v: Values): number | undefined {
  const s = num('lock-seconds', v['lock-seconds']);
  if (s !== undefined && s <= 0) throw new TailguardError('config', `--lock-seconds expects a positive number of seconds, got "${v['lock-seconds']}"`);
  return s;
}

/**
 * Run with SIGINT/SIGTERM turned into a clean stop: the run finishes its batch, saves a checkpoint
 * and says how to resume. A second signal exits at once (the last checkpoint still resumes).
 */
async function withSignals<T>(argv: string[], run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(SIGNAL_EXIT[name]);
    console.error(`tailguard: ${name}: stopping after the current batch (send it again to stop at once)`);
    controller.abort(name);
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    return await run(controller.signal);
  } catch (e) {
    if (e instanceof TailguardError && e.code === 'interrupted') {
      // A sharded run resumes by being launched again; a single run needs --resume.
      const shardedRun = argv.some((a) => a.startsWith('--world-size')) || process.env.TAILGUARD_WORLD_SIZE !== undefined;
      const again = ['tailguard', ...argv.filter((a) => a !== '--resume' && a !== '--force'), ...(shardedRun ? [] : ['--resume'])].map(shellQuote).join(' ');
      console.error(`tailguard: ${e.message}\nresume with: ${again}`);
      process.exit(SIGNAL_EXIT[controller.signal.reason as string] ?? EXIT.interrupted);
    }
    throw e;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A view name for a corpus argument: its file name without extension, safe as a file name part. */
function viewName(arg: string, taken: Set<string>): string {
  const base = (arg.startsWith('brown:') ? arg.replace(':', '-') : basename(arg).replace(/\.(jsonl|json|txt)$/i, '')).replace(/[^\w-]+/g, '_') || 'corpus';
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

/**
 * A corpus argument as a spec: `brown:<split>`; a file whose extension (or --format) gives its
 * format; a folder or a glob of data files (a Hugging Face dataset folder, mixed files), each
 * file read by its extension unless --format says otherwise.
 */
function corpusSpec(arg: string, v: Values): CorpusSpec {
  const brown = /^brown:(train|heldout|all)$/.exec(arg);
  if (brown) return { format: 'brown', split: brown[1] as 'train' | 'heldout' | 'all' };
  const given = v.format;
  if (given !== undefined && !(FILE_FORMATS as readonly string[]).includes(given)) throw new TailguardError('config', `--format expects ${FILE_FORMATS.join(', ')}, got "${given}"`);
  const fields = { textField: v['text-field'] ?? 'text', idField: v['id-field'] ?? 'id' };
  const format = (given as FileFormat | undefined) ?? formatFromPath(arg);
  // A name with a data file's extension is meant as that file, even when it is a folder (which the reader then refuses).
  if (isGlob(arg) || (format === undefined && isDirectory(arg)) || v.split !== undefined) {
    return format === 'text' && !isGlob(arg) ? { format, path: arg } : { format: 'files', path: arg, ...fields, split: v.split, fileFormat: given as FileFormat | undefined };
  }
  if (format === undefined) throw new TailguardError('config', `${arg}: cannot tell the format from the extension; pass --format ${FILE_FORMATS.join('|')}`);
  return format === 'text' ? { format, path: arg } : { format, path: arg, ...fields };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // a missing path is reported by the reader, with its path
  }
}

async function audit(positionals: string[], v: Values): Promise<number> {
  if (positionals[0] === 'merge') {
    const files = positionals.slice(1);
    if (files.length === 0 || !v.out) throw new TailguardError('config', 'audit merge: give the stats files to merge and --out FILE');
    const merged = new CorpusStats();
    for (const f of files) merged.merge(JSON.parse(await readFile(f, 'utf8')));
    await writeJsonAtomic(v.out, merged.toJSON(), true);
    console.log(`merged ${files.length} statistics files: ${merged.docs} documents, ${merged.tokens} words -> ${v.out}`);
    return 0;
  }
  if (positionals.length === 0) throw new TailguardError('config', 'audit: give at least one corpus (see --help)');
  const taken = new Set<string>();
  const corpora = positionals.map((arg) => ({ arg, name: viewName(arg, taken), spec: corpusSpec(arg, v) }));
  const reference = v.reference === undefined ? undefined : (corpora.find((c) => c.arg === v.reference || c.name === v.reference)?.name ?? v.reference);
  const log = v.quiet ? () => {} : (m: string) => console.error(m);
  const prior = v['no-prior'] ? undefined : await openPrior((await loadPipeline(v.pipeline ?? DEFAULT_PIPELINE)).prior, log);
  const out = v.out ?? join('runs', 'audit');
  const { report, rejected } = await auditCorpora({ corpora, reference, prior, out, force: v.force ?? false });
  await prior?.dispose();
  if (v.json) console.log(JSON.stringify({ views: report.views, comparisons: report.comparisons, rejected }, null, 2));
  else console.log(`${formatAudit(report)}\n  rejected records: ${JSON.stringify(rejected)}\n  output: ${out} (report.html, report.md, report.json)`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof TailguardError) {
      console.error(`tailguard: ${e.message}`);
      process.exit(EXIT[e.code]);
    }
    if (e instanceof Error && 'code' in e && String((e as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`tailguard: ${e.message} (see --help)`);
      process.exit(2);
    }
    console.error(e);
    process.exit(1);
  },
);
