import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { newTempDir, removeTempDir } from './temp-dir.js';

const exec = promisify(execFile);

/** Debian's Slurm (packages slurmctld, slurmd and slurm-client; `make test` installs them). */
const find = (name: string) => ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'].map((d) => join(d, name)).find((p) => existsSync(p));
export const SLURM_BIN = { slurmctld: find('slurmctld'), slurmd: find('slurmd'), sbatch: find('sbatch'), sinfo: find('sinfo'), scontrol: find('scontrol') };
/** What is missing of Slurm here, or undefined when every program is installed. */
export const SLURM_MISSING = Object.entries(SLURM_BIN).filter(([, p]) => !p).map(([name]) => name).join(', ') || undefined;

export interface Slurm {
  /** The environment the Slurm commands need (SLURM_CONF), to add to a child's. */
  env: { SLURM_CONF: string };
  /** E.g. "slurm 22.05.8". */
  version: string;
  /** `scontrol show job ID` as one record per job (array elements apart), key=value. */
  jobs: (id: string) => Promise<Record<string, string>[]>;
  /** The daemons' output and log files, for a failure message. */
  logs: () => Promise<string>;
  /** Stops the daemons (SIGTERM, then SIGKILL after 10 s) and removes the folder. */
  stop: () => Promise<void>;
}

/**
 * A real single-node Slurm cluster of its own for a test file: slurmctld and slurmd in the
 * foreground as children of this process, run by root (as in CI), with a configuration, state
 * and spool in a new temporary folder, the node named after this machine's hostname (read here:
 * slurmd must find its own name in the configuration), every address 127.0.0.1, free ports, and
 * no munge (auth/none, which Slurm 22.05 still has). Resolves once the node is idle; rejects
 * with the daemons' output when they exit or the node is not idle within `seconds`.
 */
export async function startSlurm(seconds = 30): Promise<Slurm> {
  if (SLURM_MISSING) throw new Error(`not installed: ${SLURM_MISSING}`);
  const dir = await newTempDir('slurm');
  for (const sub of ['state', 'spool', 'log']) await mkdir(join(dir, sub));
  const node = hostname().split('.')[0];
  const [ctldPort, dPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'slurm.conf');
  await writeFile(
    conf,
    [
      'ClusterName=tailguard-test',
      `SlurmctldHost=${node}(127.0.0.1)`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${dPort}`,
      'AuthType=auth/none',
      'CredType=cred/none',
      'SlurmUser=root',
      'SlurmdUser=root',
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
      'MailProg=/bin/true',
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'SchedulerType=sched/backfill',
      'SchedulerParameters=bf_interval=1',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'JobCompType=jobcomp/none',
      'MpiDefault=none',
      'ReturnToService=2',
      // Less than the machine has: a node configured with more CPUs or memory than slurmd finds is drained.
      `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${availableParallelism()} RealMemory=1000 State=UNKNOWN`,
      'PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
    ].join('\n') + '\n',
  );
  const env = { SLURM_CONF: conf };
  let output = '';
  const daemons: ChildProcess[] = [];
  let exited: string | undefined;
  const daemon = (bin: string, args: string[]) => {
    const child = spawn(bin, ['-D', '-f', conf, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    child.once('error', (e) => (exited ??= `${bin}: ${e.message}`));
    child.once('exit', (code, signal) => (exited ??= `${bin} exited (${signal ?? `code ${code}`})`));
    daemons.push(child);
  };
  const killAll = () => daemons.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill('SIGKILL'));
  process.once('exit', killAll);
  const logs = async () => {
    const files = await Promise.all(['slurmctld.log', 'slurmd.log'].map(async (f) => `--- ${f}\n${await readFile(join(dir, 'log', f), 'utf8').catch(() => '(none)')}`));
    return [`--- daemons' output\n${output}`, ...files].join('\n');
  };
  const run = async (bin: string, args: string[]) => (await exec(bin, args, { env: { ...process.env, ...env }, timeout: 20_000 })).stdout;

  daemon(SLURM_BIN.slurmctld!, []);
  daemon(SLURM_BIN.slurmd!, ['-N', node]);
  let state = '';
  for (const end = Date.now() + seconds * 1000; state !== 'idle'; await sleep(200)) {
    if (exited || Date.now() > end) {
      killAll();
      throw new Error(`${exited ?? `the node was not idle after ${seconds} s (sinfo: ${state || 'no answer'})`}; configuration ${conf}\n${await logs()}`);
    }
    state = await run(SLURM_BIN.sinfo!, ['-h', '-o', '%T']).then((s) => s.trim(), () => '');
  }
  const version = (await run(SLURM_BIN.sinfo!, ['--version'])).trim();

  const jobs = async (id: string) =>
    (await run(SLURM_BIN.scontrol!, ['show', 'job', '--oneliner', id]))
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => Object.fromEntries(l.trim().split(/\s+/).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])));

  const stop = async () => {
    process.off('exit', killAll);
    await Promise.all(
      daemons.map(async (c) => {
        if (c.exitCode !== null || c.signalCode !== null) return;
        const gone = new Promise((resolve) => c.once('exit', resolve));
        c.kill('SIGTERM');
        if ((await Promise.race([gone, sleep(10_000, 'late')])) === 'late') c.kill('SIGKILL');
      }),
    );
    await removeTempDir(dir);
  };
  return { env, version, jobs, logs, stop };
}
