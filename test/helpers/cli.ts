import { type ChildProcess, spawn } from 'node:child_process';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

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

/** The sequence number of the checkpoint in run folder `out`, read from the head of the file (it is written first); 0 without one. */
export async function checkpointSequence(out: string): Promise<number> {
  const file = await open(join(out, 'checkpoint.json')).catch(() => null);
  if (!file) return 0;
  const { buffer, bytesRead } = await file.read(Buffer.alloc(64), 0, 64, 0);
  await file.close();
  return Number(/"sequence":(\d+)/.exec(buffer.subarray(0, bytesRead).toString())?.[1] ?? 0);
}

/** Start the CLI on `args` (a run into `out`) and send it `signal` once its checkpoint reaches sequence `at`, unless it has finished by then. */
export async function interruptAt(args: string[], out: string, at: number, signal: NodeJS.Signals): Promise<CliResult> {
  const { child, done } = startCli(args);
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished && (await checkpointSequence(out)) < at) await sleep(10);
  if (!finished) child.kill(signal);
  return done;
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
