import { TailguardError } from '../errors.js';
import { listCorpusFiles } from './file-list.js';
import { readJsonArray } from './json-array.js';
import { readJsonl } from './jsonl.js';
import { readParquet } from './parquet.js';
import type { FieldMap } from './record.js';

/** The first records of a corpus, whole, and where they came from. */
export interface RecordSample {
  /** The data files of the corpus (one for a file; those of a folder or glob). */
  files: { path: string; format: string }[];
  records: Record<string, unknown>[];
  /** Records of the first files that could not be read (malformed JSON, not an object). */
  unreadable: number;
}

const WHOLE: FieldMap = { textField: '', idField: '', wholeRecords: true };

/**
 * Read up to `count` records of a file, a folder or a glob (files in corpus order), with the
 * project's readers, fields unknown: each record whole. Text files have no fields and give none.
 */
export async function sampleRecords(path: string, count: number): Promise<RecordSample> {
  const files = await listCorpusFiles(path);
  const records: Record<string, unknown>[] = [];
  let unreadable = 0;
  for (const file of files) {
    if (records.length >= count) break;
    const items = file.format === 'jsonl' ? readJsonl(file.path, WHOLE) : file.format === 'json' ? readJsonArray(file.path, WHOLE) : file.format === 'parquet' ? readParquet(file.path, WHOLE) : null;
    if (!items) continue;
    for await (const item of items) {
      if (item.ok) records.push(item.doc.meta);
      else unreadable++;
      if (records.length >= count) break;
    }
  }
  return { files: files.map((f) => ({ path: f.path, format: f.format })), records, unreadable };
}

/** What a guess rests on, for the comment above the key in the starter pipeline. */
export interface FieldGuess {
  field: string;
  reason: string;
}

/** Names that say "identifier": id, _id, doc_id, documentId, uuid, guid, key. */
const ID_NAME = /^(_?id|uuid|guid|key)$|(^|[_-])id$|[a-z]Id$/i;
/** A text field holds a string in at least this share of the records read (a few may lack one: a run rejects those). */
const TEXT_PRESENT = 0.9;
/** Mean characters and words per value from which a string field reads as prose, not a label. */
const PROSE = { chars: 40, words: 5 };

/**
 * The text field: of the fields that hold a string in nearly every record read, the one with the
 * longest values on average, preferring prose (several words a value) over long tokens such as
 * URLs or hashes. The id field: a field named like an id whose values are strings or integers,
 * all different, and short. Undefined when no field fits (text: the records hold no string
 * field in common; id: the ids then default to <file>:<line>).
 */
export function guessFields(records: Record<string, unknown>[], source: string): { text: FieldGuess; id?: FieldGuess } {
  if (records.length === 0) throw new TailguardError('input', `${source}: no record could be read to guess its fields from`, { file: source });
  const names = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const strings = names
    .filter((n) => records.filter((r) => typeof r[n] === 'string').length >= TEXT_PRESENT * records.length)
    .map((n) => {
      const values = records.flatMap((r) => (typeof r[n] === 'string' ? [r[n] as string] : []));
      const chars = values.reduce((a, v) => a + v.length, 0) / values.length;
      const words = values.reduce((a, v) => a + v.split(/\s+/).filter(Boolean).length, 0) / values.length;
      return { n, chars, words, prose: chars >= PROSE.chars && words >= PROSE.words, missing: records.length - values.length };
    })
    .sort((a, b) => Number(b.prose) - Number(a.prose) || b.chars - a.chars);
  if (strings.length === 0) {
    throw new TailguardError('input', `${source}: no field holds a string in ${TEXT_PRESENT * 100}% of the ${records.length} records read (fields: ${names.map((n) => `"${n}"`).join(', ') || 'none'}); write the pipeline's input.textField by hand`, { file: source });
  }
  const [best, ...others] = strings;
  const runnersUp = others.slice(0, 3).map((s) => `"${s.n}" ${Math.round(s.chars)}`).join(', ');
  const text = {
    field: best.n,
    reason: `the ${best.prose ? 'longest prose-like' : 'longest'} string field: ${Math.round(best.chars)} characters, ${Math.round(best.words)} words a record on average${runnersUp ? ` (next: ${runnersUp} characters)` : ''}${best.missing > 0 ? `; ${best.missing} of the ${records.length} records read have none (a run rejects them)` : ''}`,
  };
  const ids = names.filter((n) => n !== best.n && ID_NAME.test(n) && isUniqueShortKey(records.map((r) => r[n])));
  // An exact "id" first, then the shortest name (doc_id before source_doc_id).
  ids.sort((a, b) => Number(b.toLowerCase() === 'id') - Number(a.toLowerCase() === 'id') || a.length - b.length);
  const id = ids.length > 0 ? { field: ids[0], reason: `named like an id, and its ${records.length} values read are all different` } : undefined;
  return { text, id };
}

/** Strings of at most 128 characters or integers, each value different: what can name a document. */
function isUniqueShortKey(values: unknown[]): boolean {
  const ok = values.every((v) => (typeof v === 'string' && v.length > 0 && v.length <= 128) || (typeof v === 'number' && Number.isInteger(v)));
  return ok && new Set(values.map(String)).size === values.length;
}
