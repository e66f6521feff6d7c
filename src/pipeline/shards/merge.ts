import { createReadStream, existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { byteLines } from '../../corpus/byte-lines.js';
import { describeCorpus } from '../../corpus/read.js';
import { checkRejectCounts } from '../../corpus/reject-guard.js';
import { inputFiles } from '../../corpus/units.js';
import { TailguardError } from '../../errors.js';
import { finishRun } from '../finish-run.js';
import { RUN_FILES } from '../../run-io/run-folder.js';
import { RunOutputs } from '../run-outputs.js';
import type { RunResult } from '../run.js';
import { type ShardPlan, loadPlan, taskDir } from './plan.js';
import { type TaskDone, isDone, loadDone } from './task.js';

/** Output files whose records carry the document id, the first present of which the merge checks for duplicates. */
const ID_KINDS = ['edited', 'synthetic', 'edits', 'scores'] as const;

/**
 * Finished tasks read ahead of their turn (their `done.json` parsed while an earlier task still
 * runs); more would hold many tasks' statistics in memory at once.
 */
const READ_AHEAD = 2;

export interface MergeOptions {
  /** When the run started (ms since the epoch), for its wall time. */
  started?: number;
  log?: (m: string) => void;
  /** An executor's phases, for the manifest. */
  timings?: Record<string, number>;
}

/**
 * Combine the finished tasks of the sharded run in `dir` into the run folder a single-machine
 * run writes: the parts concatenated in task order (hence corpus order) into the run's output
 * format, statistics, counts and samples merged, the audit report, the manifest. A document id
 * met in two tasks is refused: one reader would have rejected the later one as a duplicate,
 * which no single task could see. The parts are removed once the manifest is written; the plan
 * and the completion markers stay. `timings` (an executor's phases) go into the manifest.
 */
export async function mergeShards(dir: string, o: MergeOptions = {}): Promise<RunResult> {
  const plan = await loadPlan(dir);
  const missing = plan.tasks.map((_, r) => r).filter((r) => !isDone(dir, r));
  if (missing.length) throw new TailguardError('input', `cannot merge ${dir}: ${missing.length} of ${plan.worldSize} tasks are not finished (${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}); run them with --rank first`);
  const started = o.started ?? Date.now();
  const merger = await ShardMerger.open(dir, plan);
  for (let rank = 0; rank < plan.worldSize; rank++) merger.add(rank);
  return merger.finish({ ...o, started });
}

/**
 * The merge of a sharded run, fed task by task as they finish: a task's part goes in as soon as
 * every earlier one has (the parts must go in task order), so most of the merge is done while
 * the last tasks still run, and a task that finishes out of turn has its statistics read ahead.
 * `finish` completes the run folder once every task is in; `abort` removes what was written.
 */
export class ShardMerger {
  private readonly outputs: RunOutputs;
  private readonly idKind: string | undefined;
  /** The task each document id was met in (for the duplicate check). */
  private readonly seen = new Map<string, number>();
  private readonly tasks: TaskDone[] = [];
  /** Finished tasks not merged yet, with their `done.json` when it is read ahead. */
  private readonly waiting = new Map<number, Promise<TaskDone> | null>();
  /** The merging under way: parts go in one at a time, in order. */
  private merging: Promise<void> = Promise.resolve();
  private failure: unknown;

  private constructor(
    private readonly dir: string,
    private readonly plan: ShardPlan,
  ) {
    this.outputs = new RunOutputs(dir, plan.config, null);
    this.idKind = ID_KINDS.find((k) => this.outputs.writers[k]);
  }

  static async open(dir: string, plan?: ShardPlan): Promise<ShardMerger> {
    if (isMerged(dir)) throw new TailguardError('output', `${dir} is merged already (it holds a manifest); its parts are gone`);
    const merger = new ShardMerger(dir, plan ?? (await loadPlan(dir)));
    // Every input file is listed in the manifest, in corpus order, an empty one too.
    for (const file of await inputFiles(merger.plan.config.input)) merger.outputs.accounting.expect(file);
    return merger;
  }

  /** Task `rank` has finished (its `done.json` is written): merge it in its turn. */
  add(rank: number): void {
    if (this.waiting.has(rank) || rank < this.tasks.length) return;
    const ahead = [...this.waiting.values()].filter((d) => d !== null).length;
    const done = rank !== this.tasks.length && ahead < READ_AHEAD ? loadDone(this.dir, rank) : null;
    // Its failure surfaces when the part's turn comes, not as an unhandled rejection now.
    done?.catch(() => {});
    this.waiting.set(rank, done);
    this.merging = this.merging.then(() => this.mergeReady()).catch((e) => void (this.failure ??= e));
  }

  /** Merge the waiting parts that are next in order. */
  private async mergeReady(): Promise<void> {
    if (this.failure) return;
    for (let rank = this.tasks.length; this.waiting.has(rank); rank = this.tasks.length) {
      const done = await (this.waiting.get(rank) ?? loadDone(this.dir, rank));
      this.waiting.delete(rank);
      await this.mergePart(rank, done);
    }
  }

  private async mergePart(rank: number, done: TaskDone): Promise<void> {
    const { outputs } = this;
    for (const kind of Object.keys(outputs.writers)) {
      for await (const record of records(join(taskDir(this.dir, rank), RUN_FILES[kind as keyof typeof RUN_FILES]))) {
        if (kind === this.idKind) {
          const id = (record as { id: string }).id;
          const earlier = this.seen.get(id);
          if (earlier !== undefined && earlier !== rank) throw new TailguardError('input', `document id "${id}" is in task ${earlier} and task ${rank}: a single reader would reject the later one as a duplicate; make ids unique across the corpus, or run on one machine`, { docId: id });
          this.seen.set(id, rank);
        }
        await outputs.copy(kind, record);
      }
    }
    outputs.absorb(done, this.plan.config.audit.ngramBudget);
    this.tasks.push(done);
  }

  /**
   * Once every task is added: the last parts merged, the audit report, the manifest; then the
   * parts are removed. `mergeSeconds` in the manifest is the merging left after the last task.
   */
  async finish(o: MergeOptions = {}): Promise<RunResult> {
    const t0 = Date.now();
    const { dir, plan, outputs, tasks } = this;
    try {
      await this.merging;
      if (this.failure) throw this.failure;
      if (tasks.length < plan.worldSize) throw new Error(`${plan.worldSize - tasks.length} of ${plan.worldSize} tasks were never added to the merge`);
      outputs.check();
      // No task saw a whole file: the reject checks of a single reader are made on the merged counts.
      checkRejectCounts(outputs.accounting.files, outputs.accounting.total, plan.config.input, describeCorpus(plan.config.input));
    } catch (e) {
      await outputs.abort();
      throw e;
    }
    const timings: Record<string, number> = { ...o.timings, processSeconds: tasks.reduce((s, t) => s + t.seconds, 0), mergeSeconds: (Date.now() - t0) / 1000 };
    const shards = { worldSize: plan.worldSize, tasks: tasks.map((t) => ({ rank: t.rank, seconds: t.seconds, read: t.accounting.total.read })) };
    const { report, summary, manifest } = await finishRun(dir, outputs, { config: plan.config, seed: plan.seed, limit: undefined, threshold: plan.threshold, calibration: plan.calibration, prior: plan.prior, timings, started: o.started ?? t0, extra: { shards } });
    o.log?.(`merged ${plan.worldSize} tasks into ${dir}`);
    for (let rank = 0; rank < plan.worldSize; rank++) for (const kind of Object.keys(outputs.writers)) await rm(join(taskDir(dir, rank), RUN_FILES[kind as keyof typeof RUN_FILES]), { force: true });
    return { dir, report, summary, manifest };
  }

  /** Give up (a task failed, the run was stopped): wait for the part being merged, then remove the merged files. */
  async abort(): Promise<void> {
    await this.merging;
    await this.outputs.abort();
  }
}

/** Whether the sharded run in `dir` is merged: the merge writes the run's manifest last, once every part is in. */
export function isMerged(dir: string): boolean {
  return existsSync(join(dir, RUN_FILES.manifest));
}

/** The records of a part, parsed: re-serialised they give the same bytes (the part was written by JSON.stringify). */
async function* records(path: string): AsyncGenerator<unknown> {
  for await (const l of byteLines(createReadStream(path), Number.MAX_SAFE_INTEGER)) {
    if ('error' in l) throw new TailguardError('output', `${path}: cannot read the task's part (${l.error.message})`, { file: path, cause: l.error });
    if (l.bytes!.length > 0) yield JSON.parse(l.bytes!.toString('utf8'));
  }
}
