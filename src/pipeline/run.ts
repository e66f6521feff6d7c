import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditReport } from '../audit/report.js';
import type { ReadItem } from '../corpus/document.js';
import { brownFiles } from '../corpus/brown.js';
import { checkCorpus, describeCorpus, readCorpus } from '../corpus/read.js';
import { TailguardError } from '../errors.js';
import type { PriorModel, TokenScores } from '../prior/types.js';
import { calibrate, keepFor } from './calibrate.js';
import { checkpointPath, inputIdentity, loadCheckpoint, outputSettings, saveCheckpoint } from './checkpoint.js';
import type { PipelineConfig } from './config.js';
import { finishRun } from './finish-run.js';
import { openPrior } from './open-prior.js';
import { batches, orderedMap } from './ordered-map.js';
import { processBatch } from './process-batch.js';
import { Progress } from './progress.js';
import { prepareRunFolder } from './run-folder.js';
import { RunOutputs } from './run-outputs.js';
import type { RunSummary } from './summary.js';

export interface RunOptions {
  /** Output folder; default `config.output.dir`, else `runs/<name>`. */
  out?: string;
  seed?: number;
  limit?: number;
  force?: boolean;
  /** Continue the interrupted run in the output folder from its checkpoint (from the start if it has none). */
  resume?: boolean;
  /** Stop with an input error at the first record that would be rejected. */
  strict?: boolean;
  /** When aborted, stop after the current batch, save a checkpoint and throw an `interrupted` error. */
  signal?: AbortSignal;
  /** Progress bar on stderr (default: when stderr is a terminal). */
  progress?: boolean;
  log?: (message: string) => void;
  /** Use this prior instead of opening the one the config names (tests, library callers). */
  prior?: PriorModel;
}

export interface RunResult {
  dir: string;
  /** The audit (null when disabled); `report.gate.passed` false means outputs are in quarantine/. */
  report: AuditReport | null;
  summary: RunSummary;
  manifest: Record<string, unknown>;
}

/**
 * Run a pipeline: read → score → edit → generate → write, streaming, in input order, with
 * bounded concurrency. Every document read is written or rejected; the manifest records the
 * counts per input file and the run fails if they do not balance. Checkpoints are saved as it
 * goes, so a run stopped by a signal, a crash or kill -9 resumes (`resume`) to the same files.
 */
export async function runPipeline(config: PipelineConfig, options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const seed = options.seed ?? config.seed;
  const limit = options.limit ?? config.limit;
  const dir = options.out ?? config.output.dir ?? join('runs', config.name);
  const inputs = config.input.format === 'brown' ? [] : [config.input.path];
  await checkCorpus(config.input);
  const folder = await prepareRunFolder(dir, { force: options.force ?? false, resume: options.resume, inputs });
  const settings = outputSettings(config, seed, limit);
  const input = await inputIdentity(config);
  const checkpoint = folder.resume ? await loadCheckpoint(dir, settings, input) : null;
  if (options.resume && !checkpoint) log(`no checkpoint in ${dir}: starting from the beginning`);
  if (checkpoint) log(`resuming after ${checkpoint.position} records (${checkpoint.accounting.total.written} written, ${checkpoint.accounting.total.rejected} rejected)`);

  const timings: Record<string, number> = {};
  const prior = options.prior ?? (await openPrior(config.prior, log));
  timings.priorSeconds = (Date.now() - started) / 1000;

  let threshold = config.edit.selection.mode === 'absolute' ? config.edit.selection.p : NaN;
  let calibration = checkpoint?.calibration ?? null;
  let cachedScores = new Map<string, TokenScores>();
  if (checkpoint) {
    // The resumed part must edit with the p the first part used, not a recalibrated one.
    threshold = checkpoint.threshold;
  } else if (config.edit.enabled && config.edit.selection.mode === 'calibrated') {
    const t = Date.now();
    const items = () => untilAborted(limitDocs(readCorpus(config.input), limit), options.signal, 'during calibration, before the first checkpoint: a resumed run starts from the beginning');
    ({ calibration, scores: cachedScores } = await calibrate(prior, items, config.edit.selection, config.batchSize, config.edit.editWhitespace, keepFor(config)));
    threshold = calibration.p;
    timings.calibrationSeconds = (Date.now() - t) / 1000;
    log(`calibrated threshold p = ${threshold.toPrecision(4)}: selects ${(calibration.achievedShare * 100).toFixed(2)}% of ${calibration.tokens} tokens (target ${(calibration.targetShare * 100).toFixed(1)}%)`);
  }

  const outputs = new RunOutputs(dir, config, checkpoint);
  const known = config.input.format === 'brown' ? (await brownFiles(config.input.split)).length : undefined;
  const progress = new Progress('tailguard', limit ?? known, 'tokens', options.progress);
  let position = checkpoint?.position ?? 0;
  let sequence = checkpoint?.sequence ?? 0;
  let sinceSave = 0;
  let lastSave = Date.now();
  const save = async () => {
    await saveCheckpoint(dir, { version: 1, sequence: ++sequence, settings, input, position, threshold, calibration, ...(await outputs.state()) });
    sinceSave = 0;
    lastSave = Date.now();
  };
  const every = config.checkpoint;
  const t0 = Date.now();
  try {
    const work = (batch: ReadItem[]) => processBatch(batch, prior, config, seed, threshold, cachedScores);
    // Records before the checkpoint are read again (that rebuilds the duplicate-id check) but not processed.
    const items = skip(limitDocs(readCorpus(config.input), limit), position);
    for await (const results of orderedMap(batches(items, config.batchSize), work, config.concurrency)) {
      for (const r of results) {
        if (options.strict && 'reject' in r) {
          const { file, line, offset, reason } = r.reject;
          throw new TailguardError('input', `${file}${line !== undefined ? `:${line}` : offset !== undefined ? ` at byte ${offset}` : ''}: ${reason} (--strict stops at the first bad record)`, { file, line, docId: r.reject.id });
        }
        await outputs.add(r);
        position++;
      }
      progress.tick(results.length, results.reduce((s, r) => s + ('processed' in r ? r.processed.counts.tokens : 0), 0));
      sinceSave += results.length;
      if (options.signal?.aborted) throw interrupted(options.signal);
      if ((every.everyDocuments !== null && sinceSave >= every.everyDocuments) || Date.now() - lastSave >= every.everySeconds * 1000) await save();
    }
  } catch (e) {
    progress.finish();
    if (e instanceof TailguardError && e.code === 'interrupted') {
      await save();
      await outputs.end();
      const { written, rejected } = outputs.accounting.total;
      throw new TailguardError('interrupted', `${e.message} after ${position} records (${written} written, ${rejected} rejected); the checkpoint is saved in ${dir}`, { cause: e });
    }
    // With a checkpoint the partial files are what --resume continues; without one they are useless.
    if (sequence > 0) await outputs.end();
    else await outputs.abort();
    throw e;
  }
  progress.finish();
  timings.processSeconds = (Date.now() - t0) / 1000;
  outputs.check();
  const { total } = outputs.accounting;
  if (total.read === 0 && options.strict) {
    await outputs.abort();
    throw new TailguardError('input', `${describeCorpus(config.input)}: no records to read (--strict refuses an empty input)`);
  }

  const { report, summary, manifest } = await finishRun(dir, outputs, { config, seed, limit, threshold, calibration, prior: prior.identity, timings, started });
  // The manifest marks the run finished; only then may the checkpoint go.
  await rm(checkpointPath(dir), { force: true });
  if (!options.prior) await prior.dispose();
  return { dir, summary, manifest, report };
}

export function interrupted(signal: AbortSignal, when = ''): TailguardError {
  return new TailguardError('interrupted', `interrupted by ${typeof signal.reason === 'string' ? signal.reason : 'an abort'}${when && ` ${when}`}`);
}

/** Stop a stream of records with an `interrupted` error once the signal is aborted. */
async function* untilAborted<T>(items: AsyncIterable<T>, signal: AbortSignal | undefined, when: string): AsyncGenerator<T> {
  for await (const item of items) {
    if (signal?.aborted) throw interrupted(signal, when);
    yield item;
  }
}

/** Leave out the first `n` items: those a resumed run has written already. */
export async function* skip<T>(items: AsyncIterable<T>, n: number): AsyncGenerator<T> {
  let i = 0;
  for await (const item of items) if (i++ >= n) yield item;
}

/** Stop after `limit` documents; rejects do not count towards the limit. */
async function* limitDocs(items: AsyncIterable<ReadItem>, limit: number | undefined): AsyncGenerator<ReadItem> {
  let docs = 0;
  for await (const item of items) {
    if (limit !== undefined && item.ok && docs >= limit) return;
    if (item.ok) docs++;
    yield item;
  }
}

