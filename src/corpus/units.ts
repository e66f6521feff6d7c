import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { TailguardError } from '../errors.js';
import { readBrown } from './brown.js';
import type { ReadItem } from './document.js';
import { listCorpusFiles } from './file-list.js';
import type { FileFormat } from './formats.js';
import { readJsonArray } from './json-array.js';
import { type ByteRange, readJsonl } from './jsonl.js';
import { STDIN, bytesPath } from './spool.js';
import { readParquet } from './parquet.js';
import type { CorpusSpec } from './spec.js';
import { readTextFile, readTextFiles } from './text-files.js';

/**
 * One readable unit of a corpus: a data file, or the whole of Brown or of a text folder. `name`
 * labels the ids of records without one (`<name>:<line>`), as the whole-corpus reader does.
 */
export interface CorpusUnit {
  path: string;
  name: string;
  format: FileFormat | 'brown';
}

/**
 * A part of one unit: a newline-aligned byte range of an uncompressed JSONL file, row groups
 * [from, to) of a Parquet file, or items [from, to) of any unit (read from its start, the ones
 * before `from` passed over: JSON arrays, compressed files, Brown, text folders).
 */
export type UnitSlice = ({ by: 'bytes' } & ByteRange) | { by: 'rowGroups'; from: number; to: number } | { by: 'records'; from: number; to: number };

/** A slice of the corpus's unit number `unit`; a shard is a list of these, in corpus order. */
export interface CorpusPiece {
  unit: number;
  slice: UnitSlice;
}

/** The units of a corpus in reading order. */
export async function corpusUnits(spec: CorpusSpec): Promise<CorpusUnit[]> {
  if (spec.format === 'brown') return [{ path: `brown:${spec.split}`, name: `brown:${spec.split}`, format: 'brown' }];
  if (spec.format === 'files') return (await listCorpusFiles(spec.path, { split: spec.split, format: spec.fileFormat })).map((f) => ({ path: f.path, name: f.name, format: f.format }));
  await mustExist(spec.path, spec.format === 'text');
  return [{ path: spec.path, name: spec.path === STDIN ? 'stdin' : basename(spec.path), format: spec.format }];
}

/**
 * The files accounting counts the records of, in reading order: every unit of a corpus but Brown
 * and a text folder (whose documents are counted by their own .txt files).
 */
export async function inputFiles(spec: CorpusSpec): Promise<string[]> {
  return spec.format === 'brown' || spec.format === 'text' ? [] : (await corpusUnits(spec)).map((u) => u.path);
}

/** The items of one unit, or of a slice of it. */
export async function* readUnit(unit: CorpusUnit, spec: CorpusSpec, slice?: UnitSlice): AsyncGenerator<ReadItem> {
  if (slice?.by === 'records') {
    let i = 0;
    for await (const item of readUnit(unit, spec)) {
      if (i >= slice.to) return;
      if (i++ >= slice.from) yield item;
    }
    return;
  }
  if (spec.format === 'brown') {
    for await (const doc of readBrown(spec.split)) yield { ok: true, doc };
    return;
  }
  if (spec.format === 'text') {
    yield* readTextFiles(unit.path);
    return;
  }
  if (unit.format === 'jsonl') yield* readJsonl(unit.path, spec, 'maxRecordBytes' in spec ? spec.maxRecordBytes : undefined, unit.name, slice?.by === 'bytes' ? slice : undefined);
  else if (unit.format === 'json') yield* readJsonArray(unit.path, spec, unit.name);
  else if (unit.format === 'parquet') yield* readParquet(unit.path, spec, unit.name, slice?.by === 'rowGroups' ? slice : undefined);
  else yield await readTextFile(unit.path, unit.name);
}

/** The items of a shard's pieces, in order. */
export async function* pieceItems(spec: CorpusSpec, pieces: readonly CorpusPiece[]): AsyncGenerator<ReadItem> {
  const units = await corpusUnits(spec);
  for (const { unit, slice } of pieces) yield* readUnit(units[unit], spec, slice);
}

export async function mustExist(path: string, folderAllowed: boolean): Promise<void> {
  let info;
  try {
    info = await stat(bytesPath(path));
  } catch (e) {
    throw new TailguardError('input', `${path}: input not found (${(e as NodeJS.ErrnoException).code}); check the path in the pipeline file or on the command line`, { file: path, cause: e });
  }
  if (info.isDirectory() && !folderAllowed) throw new TailguardError('input', `${path}: is a directory; give a file, or use format "files" for a folder (or "text" for a folder of .txt files)`, { file: path });
}
