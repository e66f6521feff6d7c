import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CorpusStatsJSON } from '../audit/corpus-stats.js';
import type { TokenSample } from '../audit/report.js';
import type { WriterPosition } from '../corpus/jsonl-writer.js';
import type { EditCounts } from '../edit/resample.js';
import type { Calibration } from '../edit/threshold.js';
import { TailguardError } from '../errors.js';
import type { FileCounts } from './accounting.js';
import { inputName, spoolOf } from '../corpus/spool.js';
import type { PipelineConfig } from './config.js';
import { RUN_FILES, writeJsonAtomic } from '../run-io/run-folder.js';

/**
 * Everything a resumed run needs to go on as if never stopped: how many input records (documents
 * and rejects, in input order) are done, how long each output file was then, the threshold, the
 * counts, the audit statistics and the report's token samples. Outputs depend only on the
 * settings, the seed and each document (every random stream is seeded per document), so the
 * records after `position` come out the same as in an uninterrupted run.
 */
export interface Checkpoint {
  version: 1;
  /** Counts up over the life of the run, across resumes. */
  sequence: number;
  /** The settings that decide the outputs; a resume with others is refused. */
  settings: unknown;
  input: InputIdentity | null;
  position: number;
  threshold: number;
  calibration: Calibration | null;
  accounting: { total: FileCounts; files: Record<string, FileCounts> };
  totals: EditCounts & { syntheticTokens: number; syntheticStoppedAtEnd: number };
  files: Record<string, WriterPosition>;
  views: Record<string, CorpusStatsJSON>;
  samples: TokenSample[];
}

/**
 * Size and modification time of the input file: a changed input cannot be resumed. An input read
 * once through a spool (standard input, a pipe) is known by its size and SHA-256 instead, so the
 * same bytes given again resume the run.
 */
export interface InputIdentity {
  path: string;
  size: number;
  mtimeMs?: number;
  sha256?: string;
}

/**
 * The parts of a run's configuration that decide its outputs. Batch size, concurrency, the
 * output folder and the checkpoint cadence do not (outputs are byte-identical across them).
 */
export function outputSettings(config: PipelineConfig, seed: number, limit: number | undefined): unknown {
  const { description: _d, output: _o, checkpoint: _c, batchSize: _b, concurrency: _n, ...rest } = config;
  // How many rejects a file may have decides whether a run stops, not what it writes.
  const input = 'maxRejectShare' in rest.input ? { ...rest.input, maxRejectShare: undefined } : rest.input;
  return JSON.parse(JSON.stringify({ ...rest, input, seed, limit: limit ?? null }));
}

export async function inputIdentity(config: PipelineConfig): Promise<InputIdentity | null> {
  if (config.input.format === 'brown') return null;
  const spool = spoolOf(config.input.path);
  if (spool) return { path: config.input.path, size: spool.size, sha256: spool.sha256 };
  const info = await stat(config.input.path).catch(() => null);
  // A folder's mtime changes with its entries, not with edits inside them: only files are pinned.
  return info?.isFile() ? { path: config.input.path, size: info.size, mtimeMs: info.mtimeMs } : null;
}

export function checkpointPath(dir: string): string {
  return join(dir, RUN_FILES.checkpoint);
}

export async function saveCheckpoint(dir: string, checkpoint: Checkpoint): Promise<void> {
  await writeJsonAtomic(checkpointPath(dir), checkpoint, true);
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(checkpointPath(dir));
}

/**
 * Load the checkpoint of an interrupted run and make sure it belongs to this run: same settings,
 * seed, limit and (for a file) the same input, unchanged. Otherwise resuming would splice two
 * different runs into one output, so it is refused, naming what differs.
 */
export async function loadCheckpoint(dir: string, settings: unknown, input: InputIdentity | null): Promise<Checkpoint> {
  const path = checkpointPath(dir);
  let cp: Checkpoint;
  try {
    cp = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new TailguardError('output', `${path}: unreadable checkpoint (${(e as Error).message}); start over with --force`, { file: path, cause: e });
  }
  if (cp.version !== 1) throw new TailguardError('output', `${path}: checkpoint version ${cp.version} is not supported; start over with --force`);
  const differs = firstDifference(cp.settings, settings);
  if (differs !== null) {
    throw new TailguardError('config', `cannot resume the run in ${dir}: it was started with other settings (${differs}); use the same pipeline, seed and limit, or start over with --force`);
  }
  if (JSON.stringify(cp.input) !== JSON.stringify(input)) {
    const what = cp.input?.sha256 ? 'its bytes differ from those the run started with' : 'size or modification time';
    throw new TailguardError('input', `cannot resume the run in ${dir}: the input ${inputName(input?.path ?? cp.input?.path ?? '')} changed since it started (${what}); start over with --force`);
  }
  return cp;
}

/** The path of the first differing value between two JSON values, with both values; null if equal. */
export function firstDifference(was: unknown, now: unknown, path = ''): string | null {
  if (JSON.stringify(was) === JSON.stringify(now)) return null;
  if (was && now && typeof was === 'object' && typeof now === 'object' && !Array.isArray(was) && !Array.isArray(now)) {
    for (const key of new Set([...Object.keys(was), ...Object.keys(now)])) {
      const d = firstDifference((was as Record<string, unknown>)[key], (now as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
      if (d !== null) return d;
    }
  }
  return `${path || 'the pipeline'} was ${JSON.stringify(was)}, now ${JSON.stringify(now)}`;
}
