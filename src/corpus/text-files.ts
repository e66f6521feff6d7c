import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ReadItem } from './document.js';

/**
 * Plain text: a file is one document; a folder gives one document per `.txt` file below it, in
 * sorted path order. The id is the path relative to the folder (or the file name).
 */
export async function* readTextFiles(path: string): AsyncGenerator<ReadItem> {
  const info = await stat(path);
  const files = info.isDirectory() ? await listTextFiles(path) : [path];
  for (const file of files) {
    const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
    const id = info.isDirectory() ? relative(path, file) : relative(process.cwd(), file);
    yield { ok: true, doc: { id, text, meta: { file: id } } };
  }
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
