import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ReadItem } from './document.js';
import { STDIN, bytesPath, inputName } from './spool.js';
import { bomLength, firstInvalidUtf8 } from './utf8.js';

/**
 * Plain text: a file is one document; a folder gives one document per `.txt` file below it, in
 * sorted path order. The id is the path relative to the folder (or the file name). A file that
 * is not valid UTF-8 is rejected with the offset of the first bad byte; a byte-order mark is
 * dropped.
 */
export async function* readTextFiles(path: string): AsyncGenerator<ReadItem> {
  const info = await stat(bytesPath(path));
  const files = info.isDirectory() ? await listTextFiles(path) : [path];
  for (const file of files) yield readTextFile(file, info.isDirectory() ? relative(path, file) : file === STDIN ? inputName(file) : relative(process.cwd(), file));
}

/** One text file as one document with the given id, or an `invalid-utf8` reject. */
export async function readTextFile(file: string, id: string): Promise<ReadItem> {
  const raw = await readFile(bytesPath(file));
  const bytes = raw.subarray(bomLength(raw));
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    const offset = raw.length - bytes.length + bad;
    return { ok: false, reject: { file, offset, id, kind: 'invalid-utf8', reason: `invalid UTF-8 at byte ${offset} (0x${bytes[bad].toString(16).padStart(2, '0')})` } };
  }
  return { ok: true, doc: { id, text: bytes.toString('utf8'), meta: { file: id } }, where: { file } };
}

async function listTextFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listTextFiles(full)));
    else if (entry.isFile() && entry.name.endsWith('.txt')) out.push(full);
  }
  return out;
}
