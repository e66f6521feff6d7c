import { createReadStream, existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { byteLines } from '../../corpus/byte-lines.js';
import { TailguardError } from '../../errors.js';
import { finishRun } from '../finish-run.js';
import { RUN_FILES } from '../run-folder.js';
import { RunOutputs } from '../run-outputs.js';
import type { RunResult } from '../run.js';
import { loadPlan, taskDir } from './plan.js';
import { type TaskDone, isDone, loadDone } from './task.js';

/** Output files whose records carry the document id, the first present of which the merge checks for duplicates. */
const ID_KINDS = ['edited', 'synthetic', 'edits', 'scores'] as const;

/**
 * Combine the finished tasks of the sharded run in `dir` into the run folder a single-machine
 * run writes: the parts concatenated in task order (hence corpus order) into the run's output
 * format, statistics, counts and samples merged, the audit report, the manifest. A document id
 * met in two tasks is refused: one reader would have rejected the later one as a duplicate,
 * which no single task could see. The parts are removed once the manifest is written; the plan
 * and the completion markers stay. `timings` (an executor's phases) go into the manifest.
 */
export async function mergeShards(dir: string, o: { started?: number; log?: (m: string) => void; timings?: Record<string, number> } = {}): Promise<RunResult> {
  const started = o.started ?? Date.now();
  const t0 = Date.now();
  const plan = await loadPlan(dir);
  if (existsSync(join(dir, RUN_FILES.manifest))) throw new TailguardError('output', `${dir} is merged already (it holds a manifest); its parts are gone`);
  const ranks = Array.from({ length: plan.worldSize }, (_, r) => r);
  const missing = ranks.filter((r) => !isDone(dir, r));
  if (missing.length) throw new TailguardError('input', `cannot merge ${dir}: ${missing.length} of ${plan.worldSize} tasks are not finished (${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}); run them with --rank first`);
  const { config } = plan;
  const outputs = new RunOutputs(dir, config, null);
  const idKind = ID_KINDS.find((k) => outputs.writers[k]);
  const seen = new Map<string, number>();
  const tasks: TaskDone[] = [];
  try {
    for (const rank of ranks) {
      const done = await loadDone(dir, rank);
      for (const kind of Object.keys(outputs.writers)) {
        for await (const record of records(join(taskDir(dir, rank), RUN_FILES[kind as keyof typeof RUN_FILES]))) {
          if (kind === idKind) {
            const id = (record as { id: string }).id;
            const earlier = seen.get(id);
            if (earlier !== undefined && earlier !== rank) throw new TailguardError('input', `document id "${id}" is in task ${earlier} and task ${rank}: a single reader would reject the later one as a duplicate; make ids unique across the corpus, or run on one machine`, { docId: id });
            seen.set(id, rank);
          }
          await outputs.copy(kind, record);
        }
      }
      outputs.absorb(done, config.audit.ngramBudget);
      tasks.push(done);
    }
    outputs.check();
  } catch (e) {
    await outputs.abort();
    throw e;
  }
  const timings: Record<string, number> = { ...o.timings, processSeconds: tasks.reduce((s, t) => s + t.seconds, 0), mergeSeconds: (Date.now() - t0) / 1000 };
  const shards = { worldSize: plan.worldSize, tasks: tasks.map((t) => ({ rank: t.rank, seconds: t.seconds, read: t.accounting.total.read })) };
  const { report, summary, manifest } = await finishRun(dir, outputs, { config, seed: plan.seed, limit: undefined, threshold: plan.threshold, calibration: plan.calibration, prior: plan.prior, timings, started, extra: { shards } });
  o.log?.(`merged ${plan.worldSize} tasks into ${dir}`);
  for (const rank of ranks) for (const kind of Object.keys(outputs.writers)) await rm(join(taskDir(dir, rank), RUN_FILES[kind as keyof typeof RUN_FILES]), { force: true });
  return { dir, report, summary, manifest };
}

/** The records of a part, parsed: re-serialised they give the same bytes (the part was written by JSON.stringify). */
async function* records(path: string): AsyncGenerator<unknown> {
  for await (const l of byteLines(createReadStream(path), Number.MAX_SAFE_INTEGER)) {
    if ('error' in l) throw new TailguardError('output', `${path}: cannot read the task's part (${l.error.message})`, { file: path, cause: l.error });
    if (l.bytes!.length > 0) yield JSON.parse(l.bytes!.toString('utf8'));
  }
}
