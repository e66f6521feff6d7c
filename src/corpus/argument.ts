import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { TailguardError } from '../errors.js';
import { isGlob } from './file-list.js';
import { FILE_FORMATS, type FileFormat, formatFromPath } from './formats.js';
import type { CorpusSpec } from './spec.js';

/** How a corpus argument's files are read, as given on a command line (`--format`, `--text-field`, …). */
export interface CorpusFlags {
  format?: string;
  textField?: string;
  idField?: string;
  split?: string;
}

/**
 * A corpus argument as a spec: `brown:<split>`; a file whose extension (or `format`) gives its
 * format; a folder or a glob of data files (a Hugging Face dataset folder, mixed files), each
 * file read by its extension unless `format` says otherwise.
 */
export function corpusArgument(arg: string, flags: CorpusFlags = {}): CorpusSpec {
  const brown = /^brown:(train|heldout|all)$/.exec(arg);
  if (brown) return { format: 'brown', split: brown[1] as 'train' | 'heldout' | 'all' };
  const given = flags.format;
  if (given !== undefined && !(FILE_FORMATS as readonly string[]).includes(given)) throw new TailguardError('config', `--format expects ${FILE_FORMATS.join(', ')}, got "${given}"`);
  const fields = { textField: flags.textField ?? 'text', idField: flags.idField ?? 'id' };
  const format = (given as FileFormat | undefined) ?? formatFromPath(arg);
  // A name with a data file's extension is meant as that file, even when it is a folder (which the reader then refuses).
  if (isGlob(arg) || (format === undefined && isDirectory(arg)) || flags.split !== undefined) {
    return format === 'text' && !isGlob(arg) ? { format, path: arg } : { format: 'files', path: arg, ...fields, split: flags.split, fileFormat: given as FileFormat | undefined };
  }
  if (format === undefined) throw new TailguardError('config', `${arg}: cannot tell the format from the extension; pass --format ${FILE_FORMATS.join('|')}`);
  return format === 'text' ? { format, path: arg } : { format, path: arg, ...fields };
}

/** A short name for a corpus argument: its file name without extension, safe as a file name part, unique among `taken`. */
export function corpusViewName(arg: string, taken: Set<string>): string {
  const base = (arg.startsWith('brown:') ? arg.replace(':', '-') : basename(arg).replace(/\.(jsonl|json|txt)$/i, '')).replace(/[^\w-]+/g, '_') || 'corpus';
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // a missing path is reported by the reader, with its path
  }
}
