import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { TailguardError } from '../../errors.js';
import { shellQuote } from '../../shell-quote.js';

/**
 * The checksum manifest of a model folder: `SHA256SUMS`, one `<sha256>  <path>` line per file, paths
 * relative to the folder, exactly what `sha256sum` writes. So `(cd FOLDER && sha256sum -c SHA256SUMS)`
 * verifies a folder without Tailguard, and `tools/model/build.sh` writes it with `sha256sum` itself.
 */
export const CHECKSUMS_FILE = 'SHA256SUMS';

/** What opening a folder learned from its manifest. */
export interface FolderChecksums {
  /** The manifest's path, or null when the folder has none. */
  manifest: string | null;
  /** sha256 of every listed file, by its path relative to the folder (all of them verified). */
  hashes: Map<string, string>;
  /** Files the loader reads that the manifest does not list (all of them when there is none). */
  unverified: string[];
}

/** sha256 of a file, streamed (the ONNX graph is tens of megabytes, a user's model maybe gigabytes). */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The shell command that writes a manifest listing `files` of `folder`: what the warning and the model card tell users to run. */
export function checksumCommand(folder: string, files: readonly string[]): string {
  return `(cd ${shellQuote(folder)} && sha256sum ${files.map(shellQuote).join(' ')} > ${CHECKSUMS_FILE})`;
}

/** Parse a manifest: `<64 hex> <space or *><path>` lines (sha256sum's text and binary modes); blank lines skipped. */
export function parseChecksums(text: string, manifest: string): Map<string, string> {
  const hashes = new Map<string, string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const fail = (reason: string) =>
      new TailguardError('model', `${manifest}, line ${i + 1}: ${reason}; write it again with sha256sum (see the model card)`, { file: manifest, line: i + 1 });
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (!m) throw fail(`expected "<sha256>  <file>", got "${line.slice(0, 80)}"`);
    const path = normalize(m[2]);
    // Only files inside the folder: a manifest is data, never a way to make us read elsewhere.
    if (isAbsolute(path) || path === '..' || path.startsWith(`..${sep}`)) throw fail(`"${m[2]}" is outside the model folder`);
    hashes.set(path.split(sep).join('/'), m[1].toLowerCase());
  });
  return hashes;
}

/**
 * Check a model folder against its manifest before any of its files is loaded: every listed file
 * must exist and hash to its line. A mismatch is a model error naming the file, both hashes and the
 * way back. `loads` are the files the loader will read; those the manifest leaves out come back as
 * unverified (the caller warns), so a partial manifest still verifies what it lists.
 */
export async function verifyChecksums(folder: string, loads: readonly string[], fix: string): Promise<FolderChecksums> {
  const manifest = join(folder, CHECKSUMS_FILE);
  if (!existsSync(manifest)) return { manifest: null, hashes: new Map(), unverified: [...loads] };
  const hashes = parseChecksums(await readFile(manifest, 'utf8'), manifest);
  for (const [path, expected] of hashes) {
    const file = join(folder, path);
    if (!existsSync(file)) {
      throw new TailguardError('model', `Model file "${file}" is listed in ${manifest} but missing. ${fix}`, { file });
    }
    const actual = await sha256File(file);
    if (actual !== expected) {
      const bytes = statSync(file).size.toLocaleString('en-US');
      throw new TailguardError(
        'model',
        `Model file "${file}" does not match its checksum in ${manifest}: expected sha256 ${expected}, actual ${actual} (${bytes} bytes). ` +
          `The file is damaged or was replaced. ${fix} If you changed the model on purpose, write the manifest again: ${checksumCommand(folder, [...hashes.keys()])}`,
        { file },
      );
    }
  }
  return { manifest, hashes, unverified: loads.filter((f) => !hashes.has(f)) };
}

/** The warning for a folder whose loaded files are not (all) covered by a manifest. */
export function unverifiedWarning(folder: string, checks: FolderChecksums, listable: readonly string[]): string {
  const what = checks.manifest === null ? `has no ${CHECKSUMS_FILE}` : `has a ${CHECKSUMS_FILE} that does not list ${checks.unverified.join(', ')}`;
  return (
    `model folder "${folder}" ${what}: only the sanity probe (which it passed) checked that its files are intact. ` +
    `To have them verified on every load, run: ${checksumCommand(folder, listable)}`
  );
}
