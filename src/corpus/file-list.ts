import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { TailguardError } from '../errors.js';
import { type FileFormat, formatFromPath } from './formats.js';
import { bytesPath } from './spool.js';

/** One file of a multi-file corpus: where it is, its name relative to the corpus root, how to read it. */
export interface CorpusFile {
  path: string;
  name: string;
  format: FileFormat;
}

const GLOB_CHARS = /[*?[{]/;

/** Whether a corpus path is a glob pattern (`data/*.parquet`, `shards/**\/*.jsonl.zst`). */
export function isGlob(path: string): boolean {
  return GLOB_CHARS.test(path);
}

/** The file or folder a corpus path reads from: itself, or for a glob the folder before its first wildcard. */
export function corpusRoot(path: string): string {
  return isGlob(path) ? splitGlob(path).root : path;
}

/**
 * The data files of a corpus given as a file, a folder or a glob, in sorted path order, so
 * `train-00000-of-00002.parquet` comes before `train-00001-of-00002.parquet`. A folder is walked
 * recursively (a Hugging Face dataset folder with its `data/` shards, or any mix of `.jsonl`,
 * `.jsonl.gz`, `.jsonl.zst`, `.json`, `.parquet` and `.txt` files); hidden entries (`.git`,
 * `.cache`) and files of other types (README.md, .gitattributes) are not data and are passed
 * over. `split` keeps the files of one Hugging Face split: a name starting `<split>-` or
 * `<split>.`, or a folder named `<split>`. `format` reads every file as that format instead of
 * going by extension.
 */
export async function listCorpusFiles(path: string, options: { split?: string; format?: FileFormat } = {}): Promise<CorpusFile[]> {
  const { root, pattern } = isGlob(path) ? splitGlob(path) : { root: path, pattern: undefined };
  const info = await stat(bytesPath(root)).catch((e: NodeJS.ErrnoException) => {
    throw new TailguardError('input', `${root}: input not found (${e.code}); check the path in the pipeline file or on the command line`, { file: root, cause: e });
  });
  const all = info.isDirectory() ? await walk(root) : [root];
  const files: CorpusFile[] = [];
  for (const file of all) {
    const name = info.isDirectory() ? relative(root, file).split(sep).join('/') : file;
    if (pattern && !pattern.test(name)) continue;
    if (options.split !== undefined && !inSplit(name, options.split)) continue;
    const format = options.format ?? formatFromPath(file);
    if (format === undefined) {
      if (info.isDirectory()) continue;
      throw new TailguardError('config', `${file}: cannot tell the format from the extension; set "fileFormat" (or pass --format jsonl|json|parquet|text)`, { file });
    }
    files.push({ path: file, name, format });
  }
  if (files.length === 0) {
    const which = options.split === undefined ? '' : ` of split "${options.split}"`;
    throw new TailguardError('input', `${path}: no data files${which} (.jsonl, .jsonl.gz, .jsonl.zst, .json, .parquet, .txt) found`, { file: path });
  }
  return files;
}

function inSplit(name: string, split: string): boolean {
  return name.split('/').some((part, i, parts) => (i < parts.length - 1 ? part === split : part.startsWith(`${split}-`) || part.startsWith(`${split}.`)));
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => !e.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** A glob as the folder before its first wildcard and a pattern for the paths below it. */
function splitGlob(glob: string): { root: string; pattern: RegExp } {
  const parts = glob.split('/');
  const first = parts.findIndex((p) => GLOB_CHARS.test(p));
  const root = parts.slice(0, first).join('/') || (glob.startsWith('/') ? '/' : '.');
  return { root, pattern: globToRegExp(parts.slice(first).join('/')) };
}

/** `**` any folders, `*` and `?` within a name, `[abc]` a class, `{a,b}` alternatives. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i);
      re += end > i ? glob.slice(i, end + 1) : '\\[';
      if (end > i) i = end;
    } else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${glob.slice(i + 1, end).split(',').map(escape).join('|')})`;
        i = end;
      }
    } else re += escape(c);
  }
  return new RegExp(`^${re}$`);
}

function escape(s: string): string {
  return s.replace(/[.+^$()|\\\]}]/g, '\\$&');
}
