import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditReport } from '../audit/report.js';
import type { ReadItem } from '../corpus/document.js';
import { brownFiles } from '../corpus/brown.js';
import { checkCorpus, describeCorpus, inputPaths, readCorpus } from '../corpus/read.js';
import { stopAtFirstReject } from '../corpus/reject-guard.js';
import { isNonSeekable, spoolInputs, spoolOf } from '../corpus/spool.js';
import { inputFiles } from '../corpus/units.js';
import { TailguardError } from '../errors.js';
import type { PriorModel, TokenScores } from '../prior/types.js';
import { calibrate } from '../edit/calibrate.js';
import { Checkpointer, closeAfterStop, interrupted, isInterruption, runBatches, skip } from './batch-loop.js';
import { checkpointPath, inputIdentity, loadCheckpoint, outputSettings } from './checkpoint.js';
import { type PipelineConfig, calibratedSelection } from './config.js';
import { finishRun } from './finish-run.js';
import { openPrior } from '../prior/open.js';
import { Progress } from '../progress.js';
import { InputPosition } from './input-position.js';
import { prepareRunFolder } from '../run-io/run-folder.js';
import { type RunContext, calibrationRule, decideThreshold } from './run-context.js';
import { readLockedSpans } from '../edit/provenance.js';
import { RunOutputs } from './run-outputs.js';
import { keepFor } from './score-cache.js';
import type { RunSummary } from './summary.js';

export interface RunOptions {
  /** Output folder; default `config.output.dir`, else `runs/<name>`. */
  out?: string;
  seed?: number;
  limit?: number;
  force?: boolean;
  /** Continue the interrupted run in the output folder from its checkpoint (from the start if it has none). */
  resume?: boolean;
  /** Stop with an input error at the first record that would be rejected, in the calibration pass too. */
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
  /** The audit (null when disabled); `report.gate.status` 'failed' means outputs are in quarantine/. */
  report: AuditReport | null;
  summary: RunSummary;
  manifest: Record<string, unknown>;
}

/**
 * Run a pipeline: read → score → edit → generate → write, streaming, in input order, with
 * bounded concurrency. Every document read is written or rejected; the manifest records the
 * counts per input file and the run fails if they do not balance. Checkpoints are saved as it
 * goes, so a run stopped by a signal, a crash or kill -9 resumes (`resume`) to the same files.
 * An input that can be read only once (standard input, a pipe) is spooled to a temporary file
 * for the run (see spool.ts); such a run resumes when given the same bytes again.
 */
export async function runPipeline(config: PipelineConfig, options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const dir = options.out ?? config.output.dir ?? join('runs', config.name);
  const oneShot = config.input.format !== 'brown' && isNonSeekable(config.input.path);
  // A missing input is refused before the folder is made; a pipe is checked once it is spooled.
  if (!oneShot) await checkCorpus(config.input);
  const folder = await prepareRunFolder(dir, { force: options.force ?? false, resume: options.resume, inputs: inputPaths([config.input]) });
  const release = await spoolInputs([config.input], log);
  try {
    if (oneShot) await checkCorpus(config.input);
    return await runInFolder(config, options, { dir, resume: folder.resume, started, log });
  } finally {
    await release();
  }
}

/** The run proper, once its folder is prepared and its input readable as often as needed. */
async function runInFolder(config: PipelineConfig, options: RunOptions, at: { dir: string; resume: boolean; started: number; log: (m: string) => void }): Promise<RunResult> {
  const { dir, started, log } = at;
  const seed = options.seed ?? config.seed;
  const limit = options.limit ?? config.limit;
  const settings = outputSettings(config, seed, limit);
  const input = await inputIdentity(config);
  const checkpoint = at.resume ? await loadCheckpoint(dir, settings, input) : null;
  if (options.resume && !checkpoint) log(`no checkpoint in ${dir}: starting from the beginning`);
  if (checkpoint) log(`resuming after ${checkpoint.position} records (${checkpoint.accounting.total.written} written, ${checkpoint.accounting.total.rejected} rejected)`);

  const timings: Record<string, number> = {};
  // Every phase shows from its first instant: opening (or training) the prior can take minutes.
  const progress = new Progress('tailguard', undefined, 'tokens', options.progress);
  const known = limit ?? (config.input.format === 'brown' ? (await brownFiles(config.input.split)).length : undefined);
  const measured = async () => (known === undefined ? await InputPosition.of(config.input) : undefined);
  const follow = (position: InputPosition | undefined, items: AsyncIterable<ReadItem>) => (position ? position.follow(items) : items);
  progress.phase(`opening the ${config.prior.type === 'ngram' ? 'n-gram' : 'neural'} prior`);
  const prior = options.prior ?? (await openPrior(config.prior, log));
  timings.priorSeconds = (Date.now() - started) / 1000;

  const locks = config.edit.enabled && config.edit.lockedFrom ? await readLockedSpans(config.edit.lockedFrom) : undefined;
  let scoreCache = new Map<string, TokenScores>();
  // --strict stops in whichever pass meets the bad record first: calibration reads the corpus first.
  const read = () => limitDocs(options.strict ? stopAtFirstReject(readCorpus(config.input)) : readCorpus(config.input), limit);
  // A resumed part must edit with the p the first part used, not a recalibrated one.
  const { threshold, calibration } = checkpoint
    ? { threshold: checkpoint.threshold, calibration: checkpoint.calibration }
    : await decideThreshold(config, async () => {
        const t = Date.now();
        const position = await measured();
        progress.phase('calibrating the threshold (scoring the corpus)', { total: known, bytes: position });
        const counted = async function* (items: AsyncIterable<ReadItem>) {
          for await (const item of items) {
            yield item;
            position?.advance(1);
            progress.tick(1, 0);
          }
        };
        const items = () => counted(follow(position, untilAborted(read(), options.signal, 'during calibration, before the first checkpoint: a resumed run starts from the beginning')));
        const result = await calibrate(prior, items, calibratedSelection(config), config.batchSize, calibrationRule(config, locks), keepFor(config));
        scoreCache = result.scores;
        timings.calibrationSeconds = (Date.now() - t) / 1000;
        const c = result.calibration;
        const changing = c.expectedChangedShare !== undefined ? `, expected to change ${(c.expectedChangedShare * 100).toFixed(2)}% (target ${(c.targetShare * 100).toFixed(2)}% changed)` : ` (target ${(c.targetShare * 100).toFixed(1)}%)`;
        log(`calibrated threshold p = ${c.p.toPrecision(4)}: selects ${(c.achievedShare * 100).toFixed(2)}% of ${c.tokens} tokens${changing}`);
        return c;
      });

  const outputs = new RunOutputs(dir, config, checkpoint);
  // Every input file is listed in the manifest, an empty one too (it yields no record to count).
  for (const file of await inputFiles(config.input)) outputs.accounting.expect(file);
  const position = await measured();
  progress.phase(config.edit.enabled ? 'editing' : config.synthetic.enabled ? 'generating' : 'scoring', { total: known, bytes: position });
  const checkpointer = new Checkpointer(dir, { settings, input, threshold, calibration }, outputs, config.checkpoint, checkpoint);
  const ctx: RunContext = { config, prior, seed, threshold, scoreCache, locks };
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  try {
    // Records before the checkpoint are read again (that rebuilds the duplicate-id check) but not processed.
    const items = follow(position, skip(read(), checkpointer.position));
    await runBatches(items, ctx, outputs, checkpointer, { signal: options.signal, progress: (records, tokens) => (position?.advance(records), progress.tick(records, tokens)) });
  } catch (e) {
    progress.finish();
    await closeAfterStop(e, outputs, checkpointer);
    if (!isInterruption(e)) throw e;
    const { written, rejected } = outputs.accounting.total;
    const again = config.input.format !== 'brown' && spoolOf(config.input.path) ? ' (to resume, give the same input again: it is recognised by its bytes)' : '';
    throw new TailguardError('interrupted', `${e.message} after ${checkpointer.position} records (${written} written, ${rejected} rejected); the checkpoint is saved in ${dir}${again}`, { cause: e });
  }
  timings.processSeconds = (Date.now() - t0) / 1000;
  // CPU seconds of this process in the same pass: on a shared machine the wall time says how busy the others were.
  const cpu = process.cpuUsage(cpu0);
  timings.processCpuSeconds = Math.round((cpu.user + cpu.system) / 1e3) / 1e3;
  outputs.check();
  const { total } = outputs.accounting;
  if (total.read === 0 && options.strict) {
    await outputs.abort();
    throw new TailguardError('input', `${describeCorpus(config.input)}: no records to read (--strict refuses an empty input)`);
  }
  // The finish starts from a checkpoint of the whole run: killed anywhere in it (writing the
  // reports, moving the outputs, writing the manifest), --resume redoes only the finish.
  await checkpointer.saveIfMoved();

  progress.phase('writing the audit and reports');
  const { report, summary, manifest } = await finishRun(dir, outputs, { config, seed, limit, threshold, calibration, prior: prior.identity, timings, started, extra: locks && { lockedFrom: { file: config.edit.lockedFrom, documents: locks.size } } });
  progress.finish();
  // The manifest marks the run finished; only then may the checkpoint go.
  await rm(checkpointPath(dir), { force: true });
  if (!options.prior) await prior.dispose();
  return { dir, summary, manifest, report };
}

/** Stop a stream of records with an `interrupted` error once the signal is aborted. */
async function* untilAborted<T>(items: AsyncIterable<T>, signal: AbortSignal | undefined, when: string): AsyncGenerator<T> {
  for await (const item of items) {
    if (signal?.aborted) throw interrupted(signal, when);
    yield item;
  }
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

