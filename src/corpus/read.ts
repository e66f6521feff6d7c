import { stat } from 'node:fs/promises';
import { TailguardError } from '../errors.js';
import { type BrownSplit, readBrown } from './brown.js';
import type { ReadItem } from './document.js';
import { readJsonArray } from './json-array.js';
import { readJsonl } from './jsonl.js';
import { readTextFiles } from './text-files.js';

/** Where a corpus comes from. Serialisable: it lives in pipeline files and manifests. */
export type CorpusSpec =
  | { format: 'brown'; split: BrownSplit }
  | { format: 'jsonl'; path: string; textField: string; idField: string; maxRecordBytes?: number }
  | { format: 'json'; path: string; textField: string; idField: string }
  | { format: 'text'; path: string };

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
  await mustExist(spec.path, spec.format === 'text');
  if (spec.format === 'jsonl') yield* readJsonl(spec.path, spec, spec.maxRecordBytes);
  else if (spec.format === 'json') yield* readJsonArray(spec.path, spec);
  else yield* readTextFiles(spec.path);
}

/** Fail early, before any model is loaded, when a corpus's file is missing or is a folder. */
export async function checkCorpus(spec: CorpusSpec): Promise<void> {
  if (spec.format !== 'brown') await mustExist(spec.path, spec.format === 'text');
}

async function mustExist(path: string, folderAllowed: boolean): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    throw new TailguardError('input', `${path}: input not found (${(e as NodeJS.ErrnoException).code}); check the path in the pipeline file or on the command line`, { file: path, cause: e });
  }
  if (info.isDirectory() && !folderAllowed) throw new TailguardError('input', `${path}: is a directory; give a file, or use format "text" for a folder of .txt files`, { file: path });
}

/** Only the documents of a corpus, for training priors: rejects are skipped there by design. */
export async function* documentsOf(spec: CorpusSpec) {
  for await (const item of readCorpus(spec)) if (item.ok) yield item.doc;
}
