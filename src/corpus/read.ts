import { stat } from 'node:fs/promises';
import { TailguardError } from '../errors.js';
import { type BrownSplit, readBrown } from './brown.js';
import type { ReadItem } from './document.js';
import { type CorpusFile, listCorpusFiles } from './file-list.js';
import type { FileFormat } from './formats.js';
import { readJsonArray } from './json-array.js';
import { readJsonl } from './jsonl.js';
import { readParquet } from './parquet.js';
import { readTextFile, readTextFiles } from './text-files.js';

/**
 * Where a corpus comes from. Serialisable: it lives in pipeline files and manifests. `jsonl` and
 * `json` files may be `.gz` or `.zst` compressed. `files` is a file, a folder (a Hugging Face
 * dataset folder, or any mix of supported files) or a glob, each file read by its extension
 * unless `fileFormat` says otherwise; `split` keeps one Hugging Face split (`train-*` shards).
 */
export type CorpusSpec =
  | { format: 'brown'; split: BrownSplit }
  | { format: 'jsonl'; path: string; textField: string; idField: string; maxRecordBytes?: number }
  | { format: 'json'; path: string; textField: string; idField: string }
  | { format: 'parquet'; path: string; textField: string; idField: string }
  | { format: 'text'; path: string }
  | { format: 'files'; path: string; textField: string; idField: string; maxRecordBytes?: number; split?: string; fileFormat?: FileFormat };

/** A human-readable name of a corpus, for logs and reports. */
export function describeCorpus(spec: CorpusSpec): string {
  return spec.format === 'brown' ? `brown:${spec.split}` : `${spec.format}:${spec.path}`;
}

/** The name accounting uses for the source of an item: the input file, or the corpus for Brown. */
export function sourceOf(item: ReadItem, spec: CorpusSpec): string {
  return item.ok ? (item.where?.file ?? describeCorpus(spec)) : item.reject.file;
}

/**
 * Stream a corpus as documents and rejects. Beyond each format's own checks, a document with
 * only whitespace, or whose id was already seen, is rejected here, so every format is held to
 * the same rules and every record is accounted for.
 */
export async function* readCorpus(spec: CorpusSpec): AsyncGenerator<ReadItem> {
  const seen = new Set<string>();
  for await (const item of rawItems(spec)) {
    if (item.ok) {
      const { doc } = item;
      const where = { file: sourceOf(item, spec), line: item.where?.line, offset: item.where?.offset, id: doc.id };
      if (doc.text.trim() === '') {
        yield { ok: false, reject: { ...where, kind: 'empty-text', reason: 'empty text (nothing but whitespace)' } };
        continue;
      }
      if (seen.has(doc.id)) {
        yield { ok: false, reject: { ...where, kind: 'duplicate-id', reason: `duplicate id "${doc.id}": an earlier record has it` } };
        continue;
      }
      seen.add(doc.id);
    }
    yield item;
  }
}

async function* rawItems(spec: CorpusSpec): AsyncGenerator<ReadItem> {
  if (spec.format === 'brown') {
    for await (const doc of readBrown(spec.split)) yield { ok: true, doc };
    return;
  }
  if (spec.format === 'files') {
    for (const file of await listCorpusFiles(spec.path, { split: spec.split, format: spec.fileFormat })) yield* readFile(file, spec);
    return;
  }
  await mustExist(spec.path, spec.format === 'text');
  if (spec.format === 'jsonl') yield* readJsonl(spec.path, spec, spec.maxRecordBytes);
  else if (spec.format === 'json') yield* readJsonArray(spec.path, spec);
  else if (spec.format === 'parquet') yield* readParquet(spec.path, spec);
  else yield* readTextFiles(spec.path);
}

/** One file of a multi-file corpus; ids given to records without one start with its path in the corpus, so shards never collide. */
async function* readFile(file: CorpusFile, spec: Extract<CorpusSpec, { format: 'files' }>): AsyncGenerator<ReadItem> {
  if (file.format === 'jsonl') yield* readJsonl(file.path, spec, spec.maxRecordBytes, file.name);
  else if (file.format === 'json') yield* readJsonArray(file.path, spec, file.name);
  else if (file.format === 'parquet') yield* readParquet(file.path, spec, file.name);
  else yield await readTextFile(file.path, file.name);
}

/** Fail early, before any model is loaded, when a corpus's file is missing or is a folder, or a folder or glob holds no data file. */
export async function checkCorpus(spec: CorpusSpec): Promise<void> {
  if (spec.format === 'files') await listCorpusFiles(spec.path, { split: spec.split, format: spec.fileFormat });
  else if (spec.format !== 'brown') await mustExist(spec.path, spec.format === 'text');
}

async function mustExist(path: string, folderAllowed: boolean): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    throw new TailguardError('input', `${path}: input not found (${(e as NodeJS.ErrnoException).code}); check the path in the pipeline file or on the command line`, { file: path, cause: e });
  }
  if (info.isDirectory() && !folderAllowed) throw new TailguardError('input', `${path}: is a directory; give a file, or use format "files" for a folder (or "text" for a folder of .txt files)`, { file: path });
}

/** Only the documents of a corpus, for training priors: rejects are skipped there by design. */
export async function* documentsOf(spec: CorpusSpec) {
  for await (const item of readCorpus(spec)) if (item.ok) yield item.doc;
}
