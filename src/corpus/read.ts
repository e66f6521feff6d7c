import type { ReadItem } from './document.js';
import { listCorpusFiles } from './file-list.js';
import { guardRejects } from './reject-guard.js';
import { STDIN, inputName } from './spool.js';
import type { CorpusSpec } from './spec.js';
import { type CorpusPiece, corpusUnits, mustExist, pieceItems, readUnit } from './units.js';

/** A human-readable name of a corpus, for logs and reports. */
export function describeCorpus(spec: CorpusSpec): string {
  return spec.format === 'brown' ? `brown:${spec.split}` : `${spec.format}:${inputName(spec.path)}`;
}

/** The paths of the corpora that name files or folders (not Brown, not standard input), for the run folder's overlap checks. */
export function inputPaths(specs: readonly (CorpusSpec | undefined)[]): string[] {
  return specs.flatMap((s) => (s && s.format !== 'brown' && s.path !== STDIN ? [s.path] : []));
}

/** The name accounting uses for the source of an item: the input file, or the corpus for Brown. */
export function sourceOf(item: ReadItem, spec: CorpusSpec): string {
  return item.ok ? (item.where?.file ?? describeCorpus(spec)) : item.reject.file;
}

/**
 * Stream a corpus as documents and rejects. Beyond each format's own checks, a document with
 * only whitespace, or whose id was already seen, is rejected here, so every format is held to
 * the same rules and every record is accounted for. A file with more than `maxRejectShare` of its
 * records rejected, or an input that yields no document, stops the reading with an input error
 * (see reject-guard.ts). With `pieces` (a task's share, see partition.ts) only those parts of the
 * corpus are read; duplicate ids are then caught within the shard only, and the reject checks,
 * which need whole files, are left to the merge.
 */
export function readCorpus(spec: CorpusSpec, pieces?: readonly CorpusPiece[]): AsyncGenerator<ReadItem> {
  return pieces ? checkedItems(pieceItems(spec, pieces), spec) : guardRejects(checkedItems(rawItems(spec), spec), spec, describeCorpus(spec));
}

/** Items with the checks every format shares: whitespace-only text and repeated ids are rejected. */
async function* checkedItems(items: AsyncIterable<ReadItem>, spec: CorpusSpec): AsyncGenerator<ReadItem> {
  const seen = new Set<string>();
  for await (const item of items) {
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

/** The items of the whole corpus, unit after unit. */
async function* rawItems(spec: CorpusSpec): AsyncGenerator<ReadItem> {
  for (const unit of await corpusUnits(spec)) yield* readUnit(unit, spec);
}

/** Fail early, before any model is loaded, when a corpus's file is missing or is a folder, or a folder or glob holds no data file. */
export async function checkCorpus(spec: CorpusSpec): Promise<void> {
  if (spec.format === 'files') await listCorpusFiles(spec.path, { split: spec.split, format: spec.fileFormat });
  else if (spec.format !== 'brown') await mustExist(spec.path, spec.format === 'text');
}

/** Only the documents of a corpus, for training priors: rejects are skipped there by design. */
export async function* documentsOf(spec: CorpusSpec) {
  for await (const item of readCorpus(spec)) if (item.ok) yield item.doc;
}
