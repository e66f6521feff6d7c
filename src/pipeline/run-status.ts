import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { GateStatus } from '../audit/gate.js';
import { TailguardError } from '../errors.js';
import { RUN_FILES, TASKS_DIR } from '../run-io/run-folder.js';
import { shellQuote } from '../shell-quote.js';
import type { Checkpoint } from './checkpoint.js';
import { type StatusClock, checkFolderExists, formatStatus, readJson, shardStatus } from './shards/status.js';

/**
 * A single-machine run folder (or an audit's, a detection's) as its files show it. `finished`:
 * its manifest is written, which only ever happens last. `interrupted`: a checkpoint and no
 * manifest: stopped by a signal, killed or crashed, also while finishing; `--resume` continues
 * it. `unfinished`: run files but neither (killed before its first checkpoint): run again, it
 * starts over.
 */
export interface RunStatus {
  state: 'finished' | 'interrupted' | 'unfinished';
  /** Input records done: all of them when finished, as of the checkpoint when interrupted. */
  records?: number;
  written?: number;
  rejected?: number;
  /** What made a finished folder: the pipeline's name, or the command (audit, detect). */
  made?: string;
  /** The audit gate's verdict of a finished run, when it has one. */
  gate?: GateStatus;
}

export type FolderStatus = ({ kind: 'sharded' } & Awaited<ReturnType<typeof shardStatus>>) | ({ kind: 'single' } & RunStatus);

/** The status of the run in `dir`: a sharded run's tasks, or where a single run stands. */
export async function folderStatus(dir: string, clock: StatusClock = {}): Promise<FolderStatus> {
  checkFolderExists(dir);
  if (existsSync(join(dir, TASKS_DIR))) return { kind: 'sharded', ...(await shardStatus(dir, clock)) };
  return { kind: 'single', ...(await runStatus(dir)) };
}

async function runStatus(dir: string): Promise<RunStatus> {
  type Counts = { read: number; written: number; rejected: number };
  const manifest = await readJson<{ pipeline?: string; command?: string; counts?: Counts; gate?: { status?: GateStatus; passed: boolean } | null }>(join(dir, RUN_FILES.manifest));
  if (manifest) {
    const { read: records, written, rejected } = manifest.counts ?? {};
    return { state: 'finished', made: manifest.pipeline ?? manifest.command, records, written, rejected, gate: manifest.gate ? (manifest.gate.status ?? (manifest.gate.passed ? 'passed' : 'failed')) : undefined };
  }
  const checkpoint = await readJson<Checkpoint>(join(dir, RUN_FILES.checkpoint));
  if (checkpoint) return { state: 'interrupted', records: checkpoint.position, written: checkpoint.accounting.total.written, rejected: checkpoint.accounting.total.rejected };
  const runFiles = Object.values(RUN_FILES).flatMap((f) => [f, `${f}.partial`]);
  if ((await readdir(dir)).some((f) => runFiles.includes(f))) return { state: 'unfinished' };
  throw new TailguardError('input', `${dir}: not a run folder (no manifest, checkpoint, tasks or output files); give the --out of a run`);
}

/** The status as `tailguard status` prints it. */
export function formatFolderStatus(dir: string, status: FolderStatus): string {
  if (status.kind === 'sharded') return formatStatus(dir, status);
  const counts = status.records === undefined ? '' : `${status.records} records (${status.written} written, ${status.rejected} rejected)`;
  if (status.state === 'finished') {
    const verdicts = { passed: '; gate passed', failed: '; gate failed: the outputs are in quarantine/', unchecked: '; gate unchecked: nothing was checked' };
    const gate = status.gate ? verdicts[status.gate] : '';
    return `finished${status.made ? ` (${status.made})` : ''}${counts && `: ${counts}`}${gate}`;
  }
  if (status.state === 'interrupted') return `interrupted after ${counts}, as of its last checkpoint (unless a process is still running it)\nresume it with the command that started it and --resume, e.g. tailguard run <pipeline.json> --out ${shellQuote(dir)} --resume`;
  return 'unfinished: killed before its first checkpoint (or an audit or detection cut short); run it again: it starts over';
}
