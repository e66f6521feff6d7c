import { type ChildProcess, spawn } from 'node:child_process';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Start the real CLI as a child process, as a user would, with extra node flags (e.g. a preload)
 * and an optional wrapper command in front (e.g. `unshare -rn`). `done` never rejects.
 */
export function startCli(args: string[], opts: { nodeFlags?: string[]; wrapper?: string[]; env?: Record<string, string> } = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const argv = ['--import', 'tsx', ...(opts.nodeFlags ?? []), 'src/cli.ts', ...args]; // after tsx: a preload may be TypeScript
  const [cmd, ...rest] = opts.wrapper?.length ? [...opts.wrapper, process.execPath, ...argv] : [process.execPath, ...argv];
  const child = spawn(cmd, rest, { env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export async function cli(args: string[], opts: { nodeFlags?: string[]; wrapper?: string[]; env?: Record<string, string> } = {}): Promise<CliResult> {
  return startCli(args, opts).done;
}
