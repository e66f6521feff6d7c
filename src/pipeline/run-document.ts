import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { formatFromPath } from '../corpus/formats.js';
import { readCorpus } from '../corpus/read.js';
import { TailguardError } from '../errors.js';
import { QUARANTINE, RUN_FILES } from '../run-io/run-folder.js';
import { checkFolderExists, readJson } from './shards/status.js';

/** One selected position of a document as edits.jsonl logs it (spans: input, then output). */
export interface LoggedEdit {
  start: number;
  end: number;
  outStart: number;
  outEnd: number;
  original: string;
  replacement: string;
  /** The prior's probability of the original token and its rank (absent in a log that did not keep them). */
  p?: number;
  rank?: number;
  kind: 'resample' | 'delete';
  changed: boolean;
}

/** A document's line of edits.jsonl: its counts and its selected positions. */
export interface EditLogLine {
  id: string;
  tokens: number;
  selected: number;
  changed: number;
  deleted: number;
  edits: LoggedEdit[];
}

/** A document of a finished run: its edited text with its edit log, and how it was picked. */
export interface RunDocument {
  log: EditLogLine;
  text: string;
  /** `given`: --doc named it; `first-edited`: the first document with a changed token; `first`: no document has one. */
  picked: 'given' | 'first-edited' | 'first';
  /** The run's gate failed and its outputs are in quarantine/. */
  quarantined: boolean;
  /** The run also wrote scores.jsonl (every token's probability). */
  hasScores: boolean;
}

type Manifest = { files?: Record<string, { path: string; files?: string[] }> };

/**
 * Where a finished run keeps a corpus or log: its files under the folder, or under quarantine/
 * when the gate kept them out. A folder without a manifest, or whose run wrote no edits, is the
 * wrong input for reading documents with their edits: an input error saying what it is.
 */
async function runFiles(dir: string, kind: 'edited' | 'edits'): Promise<{ paths: string[]; quarantined: boolean }> {
  checkFolderExists(dir);
  const manifest = await readJson<Manifest>(join(dir, RUN_FILES.manifest)).catch((e: unknown) => {
    throw new TailguardError('input', `${join(dir, RUN_FILES.manifest)}: not valid JSON (${(e as Error).message})`, { file: join(dir, RUN_FILES.manifest), cause: e });
  });
  if (!manifest) {
    const why = existsSync(join(dir, RUN_FILES.checkpoint)) ? 'its run is interrupted (resume it with tailguard run --resume first)' : 'it holds no manifest.json';
    throw new TailguardError('input', `${dir}: not a finished run folder: ${why}; give the --out of a finished tailguard run or edit`, { file: dir });
  }
  const entry = manifest.files?.[kind];
  if (!entry) throw new TailguardError('input', `${dir}: this run wrote no ${kind === 'edits' ? RUN_FILES.edits : 'edited corpus'} (its edit stage was off: a score, generate or audit folder); give the --out of a tailguard run or edit`, { file: dir });
  const names = entry.files ?? [entry.path];
  const quarantined = !existsSync(join(dir, names[0])) && existsSync(join(dir, QUARANTINE, names[0]));
  const paths = names.map((n) => join(dir, quarantined ? QUARANTINE : '', n));
  for (const p of paths) if (!existsSync(p)) throw new TailguardError('input', `${p}: missing, though the run's manifest lists it; was the folder changed after the run?`, { file: p });
  return { paths, quarantined };
}

/** Every line of the run's edits.jsonl in order, one in memory at a time. */
export async function* editLog(dir: string): AsyncGenerator<EditLogLine> {
  const [path] = (await runFiles(dir, 'edits')).paths;
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    let value: Partial<EditLogLine>;
    try {
      value = JSON.parse(text) as Partial<EditLogLine>;
    } catch (e) {
      throw new TailguardError('input', `${path}:${line}: not valid JSON (${(e as Error).message})`, { file: path, line, cause: e });
    }
    if (typeof value.id !== 'string' || !Array.isArray(value.edits)) throw new TailguardError('input', `${path}:${line}: not an edits.jsonl record (needs "id" and "edits")`, { file: path, line });
    yield value as EditLogLine;
  }
}

/**
 * The document `id` of the run in `dir`, or without `id` the first one with a changed token (the
 * first document when none has one). Both files are streamed and left as soon as the document
 * is found: a large run is never read whole into memory.
 */
export async function readRunDocument(dir: string, id?: string): Promise<RunDocument> {
  let log: EditLogLine | undefined;
  let first: EditLogLine | undefined;
  let count = 0;
  for await (const line of editLog(dir)) {
    count++;
    first ??= line;
    if (id === undefined ? line.changed > 0 : line.id === id) {
      log = line;
      break;
    }
  }
  if (id !== undefined && !log) {
    throw new TailguardError('input', `${dir}: no document with id "${id}" among its ${count} documents; list them with tailguard show ${dir} --list`, { file: dir, docId: id });
  }
  log ??= first;
  if (!log) throw new TailguardError('input', `${dir}: the run wrote no documents (its edits.jsonl is empty)`, { file: dir });
  const { paths, quarantined } = await runFiles(dir, 'edited');
  const text = await editedText(paths, log.id);
  return { log, text, picked: id !== undefined ? 'given' : log.changed > 0 ? 'first-edited' : 'first', quarantined, hasScores: [dir, join(dir, QUARANTINE)].some((d) => existsSync(join(d, RUN_FILES.scores))) };
}

/** The text of document `id` in the edited corpus (JSONL, compressed or Parquet, one file or shards), read until it is found. */
async function editedText(paths: string[], id: string): Promise<string> {
  for (const path of paths) {
    const format = formatFromPath(path);
    if (format !== 'jsonl' && format !== 'parquet') throw new TailguardError('input', `${path}: not an edited corpus Tailguard writes (JSONL or Parquet)`, { file: path });
    for await (const item of readCorpus({ format, path, textField: 'text', idField: 'id' })) {
      if (item.ok && item.doc.id === id) return item.doc.text;
    }
  }
  throw new TailguardError('input', `${paths[0]}: no document "${id}", though edits.jsonl has it; was the folder changed after the run?`, { file: paths[0], docId: id });
}
