import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface NodeOptions {
  /** Node flags after `--import tsx` (so a preload may be TypeScript). */
  nodeFlags?: string[];
  /** A command in front of node, e.g. `unshare -rn`. */
  wrapper?: string[];
  /** Added to this process's environment. */
  env?: Record<string, string>;
}

/** Start a program with its output collected, stdin closed. `done` never rejects. */
export function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** Start node with tsx on `argv` (a script and its arguments, or `-e` and code), with NO_COLOR set. */
export function startNode(argv: string[], opts: NodeOptions = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const full = ['--import', 'tsx', ...(opts.nodeFlags ?? []), ...argv];
  const [cmd, ...rest] = opts.wrapper?.length ? [...opts.wrapper, process.execPath, ...full] : [process.execPath, ...full];
  return startProcess(cmd, rest, { ...process.env, NO_COLOR: '1', ...opts.env });
}

/**
 * Start the real CLI as a child process, as a user would, with extra node flags (e.g. a preload)
 * and an optional wrapper command in front (e.g. `unshare -rn`). `done` never rejects.
 */
export function startCli(args: string[], opts: NodeOptions = {}): { child: ChildProcess; done: Promise<CliResult> } {
  return startNode(['src/cli.ts', ...args], opts);
}

/** Run the real CLI to its end: exit code, signal and output, instead of throwing. */
export async function cli(args: string[], opts: NodeOptions = {}): Promise<CliResult> {
  return startCli(args, opts).done;
}

/**
 * Run the CLI on `args` and have it stopped by `signal` at fault point `point` (src/run-io/fault-point.ts),
 * e.g. `checkpoint:3` once its third checkpoint is saved or `write:report.json` in its finish: at that
 * exact step, whatever the load of the machine, where a test that polls and then signals would race.
 */
export async function stopAt(args: string[], point: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<CliResult> {
  return cli(args, { env: { TAILGUARD_TEST_KILL_AT: point, TAILGUARD_TEST_KILL_SIGNAL: signal } });
}

/**
 * A JSONL corpus of `lines` and a pipeline file that reads it, for a run through the CLI:
 * `dir`/corpus.jsonl and `dir`/pipeline.json, whose input (after its name) is that corpus.
 */
export async function writeJsonlPipeline(dir: string, lines: string[], { name, ...settings }: { name: string } & Record<string, unknown>): Promise<{ input: string; pipeline: string }> {
  const input = join(dir, 'corpus.jsonl');
  await writeFile(input, lines.join('\n') + '\n');
  const pipeline = join(dir, 'pipeline.json');
  await writeFile(pipeline, JSON.stringify({ name, input: { format: 'jsonl', path: input }, ...settings }));
  return { input, pipeline };
}
