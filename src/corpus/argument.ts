import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { TailguardError } from '../errors.js';
import { isGlob } from './file-list.js';
import { FILE_FORMATS, type FileFormat, formatFromPath } from './formats.js';
import type { CorpusSpec } from './spec.js';
import { STDIN } from './spool.js';

/** How a corpus argument's files are read, as given on a command line (`--format`, `--text-field`, …). */
export interface CorpusFlags {
  format?: string;
  textField?: string;
  idField?: string;
  split?: string;
  /** `--max-reject-share`: see reject-guard.ts. */
  maxRejectShare?: number;
}

/**
 * A corpus argument as a spec: `brown:<split>`; `-`, standard input (JSONL unless `format` says
 * otherwise); a file whose extension (or `format`) gives its format; a folder or a glob of data
 * files (a Hugging Face dataset folder, mixed files), each file read by its extension unless
 * `format` says otherwise. A reading flag that does not apply to it (`--text-field` for the
 * Brown corpus or a text file) is refused, not ignored.
 */
export function corpusArgument(arg: string, flags: CorpusFlags = {}): CorpusSpec {
  const { spec, unused } = interpret(arg, flags);
  if (unused.length > 0) throw new TailguardError('config', `${FLAG_NAMES[unused[0]]} does not apply to ${arg}: ${whyUnused(spec)}`);
  return spec;
}

/**
 * Several corpus arguments read with the same flags (audit, detect): a flag applies to those
 * arguments it fits (a JSONL's fields, not the Brown corpus's) and is refused only when it fits none.
 */
export function corpusArguments(args: string[], flags: CorpusFlags): CorpusSpec[] {
  const read = args.map((arg) => interpret(arg, flags));
  for (const name of Object.keys(FLAG_NAMES) as (keyof CorpusFlags)[]) {
    if (flags[name] !== undefined && read.every((r) => r.unused.includes(name))) throw new TailguardError('config', `${FLAG_NAMES[name]} does not apply to ${args.join(', ')}: ${whyUnused(read[0].spec)}`);
  }
  return read.map((r) => r.spec);
}

const FLAG_NAMES: Record<keyof CorpusFlags, string> = { format: '--format', textField: '--text-field', idField: '--id-field', split: '--split', maxRejectShare: '--max-reject-share' };

/** The spec, and which of the given flags it does not use. */
function interpret(arg: string, flags: CorpusFlags): { spec: CorpusSpec; unused: (keyof CorpusFlags)[] } {
  const given = flags.format;
  if (given !== undefined && !(FILE_FORMATS as readonly string[]).includes(given)) throw new TailguardError('config', `--format expects ${FILE_FORMATS.join(', ')}, got "${given}"`);
  const unused = (names: (keyof CorpusFlags)[]) => names.filter((n) => flags[n] !== undefined);
  const brown = /^brown:(train|heldout|all)$/.exec(arg);
  if (brown) return { spec: { format: 'brown', split: brown[1] as 'train' | 'heldout' | 'all' }, unused: unused(['format', 'textField', 'idField', 'split', 'maxRejectShare']) };
  const share = flags.maxRejectShare;
  if (share !== undefined && !(share >= 0 && share <= 1)) throw new TailguardError('config', `--max-reject-share expects a share from 0 to 1, got ${share}`);
  const fields = { textField: flags.textField ?? 'text', idField: flags.idField ?? 'id', ...(share !== undefined && { maxRejectShare: share }) };
  const format = (given as FileFormat | undefined) ?? (arg === STDIN ? 'jsonl' : formatFromPath(arg));
  // A folder given with --format, or named like a data file, is refused here, where the advice can
  // be in flags: the reader's advice (format "files") is for pipeline files, and --format refuses it.
  if (format !== undefined && format !== 'text' && !isGlob(arg) && flags.split === undefined && isDirectory(arg)) {
    const glob = `'${join(arg, '**')}'`;
    const how = given === undefined ? `a quoted glob such as ${glob} to read the files below it, each by its extension` : `leave out --format to read each file in it by its extension, or give a quoted glob such as ${glob} with --format ${given} to read every file below it as ${given}`;
    throw new TailguardError('input', `${arg}: is a directory; give a file, or ${how}`, { file: arg });
  }
  if (isGlob(arg) || (format === undefined && isDirectory(arg)) || flags.split !== undefined) {
    if (format === 'text' && !isGlob(arg)) return { spec: { format, path: arg }, unused: unused(['textField', 'idField', 'split', 'maxRejectShare']) };
    return { spec: { format: 'files', path: arg, ...fields, split: flags.split, fileFormat: given as FileFormat | undefined }, unused: [] };
  }
  if (format === undefined) throw new TailguardError('config', `${arg}: cannot tell the format from the extension; pass --format ${FILE_FORMATS.join('|')}`);
  if (format === 'text') return { spec: { format, path: arg }, unused: unused(['textField', 'idField', 'maxRejectShare']) };
  return { spec: { format, path: arg, ...fields }, unused: [] };
}

function whyUnused(spec: CorpusSpec): string {
  return spec.format === 'brown' ? 'the built-in Brown corpus has its own format, fields and splits' : 'text files have no fields: each file is one document';
}

/** A short name for a corpus argument: its file name without extension, safe as a file name part, unique among `taken`. */
export function corpusViewName(arg: string, taken: Set<string>): string {
  const base = (arg === STDIN ? 'stdin' : arg.startsWith('brown:') ? arg.replace(':', '-') : basename(arg).replace(/\.(jsonl|json|txt)$/i, '')).replace(/[^\w-]+/g, '_') || 'corpus';
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
