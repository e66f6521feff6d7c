import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TailguardError } from '../errors.js';
import type { CorpusSpec } from './spec.js';

/** The corpus path that means standard input, as on most command lines. */
export const STDIN = '-';

/** A non-seekable input copied to a temporary file: where, its size and its SHA-256 (its identity for --resume). */
export interface Spool {
  file: string;
  size: number;
  sha256: string;
}

/**
 * Spooled inputs by the path the user gave. The corpus spec keeps that path (manifests, rejects
 * and messages name the input as given); only the readers look up where its bytes are.
 */
const spools = new Map<string, Spool>();
/** Spool folders not yet removed: a process that exits before its release (a second Ctrl-C) removes them on exit. */
const folders = new Set<string>();
let exitHook = false;

/** Where the bytes of input `path` are read: its spool when it was spooled, otherwise the path itself. */
export function bytesPath(path: string): string {
  return spools.get(path)?.file ?? path;
}

/** The spool of input `path`, if it was spooled. */
export function spoolOf(path: string): Spool | undefined {
  return spools.get(path);
}

/** A path as people read it: "stdin" for `-`. */
export function inputName(path: string): string {
  return path === STDIN ? 'stdin' : path;
}

/**
 * Whether an input can be read only once: standard input (`-`), or a pipe, socket or terminal
 * given by name (/dev/stdin, a FIFO, a process substitution such as <(zcat x.gz)).
 */
export function isNonSeekable(path: string): boolean {
  if (path === STDIN) return true;
  try {
    const info = statSync(path);
    return info.isFIFO() || info.isSocket() || info.isCharacterDevice();
  } catch {
    return false; // a missing path is reported by the reader, with its path
  }
}

/**
 * Copy each input of `specs` that can be read only once to a temporary file (a folder
 * `tailguard-spool-XXXXXX` under os.tmpdir(), so TMPDIR moves it), once: a calibrated run
 * reads its input twice, and both passes must see the same bytes. Resolves to the release,
 * which removes the copies; call it when the work is over, failed or not.
 */
export async function spoolInputs(specs: readonly CorpusSpec[], log: (m: string) => void = () => {}): Promise<() => Promise<void>> {
  const made: string[] = [];
  const release = async () => {
    for (const path of made) {
      const spool = spools.get(path)!;
      spools.delete(path);
      const folder = join(spool.file, '..');
      folders.delete(folder);
      await rm(folder, { recursive: true, force: true });
    }
  };
  try {
    for (const spec of specs) {
      if (spec.format === 'brown' || spools.has(spec.path) || !isNonSeekable(spec.path)) continue;
      if (spec.path === STDIN && process.stdin.isTTY) log('reading the input from the terminal until end of file (Ctrl-D)');
      spools.set(spec.path, await spool(spec.path));
      made.push(spec.path);
      log(`${inputName(spec.path)}: ${spools.get(spec.path)!.size} bytes copied to ${spools.get(spec.path)!.file} (removed at the end) so every pass reads the same bytes`);
    }
  } catch (e) {
    await release();
    throw e;
  }
  return release;
}

async function spool(path: string): Promise<Spool> {
  const folder = await mkdtemp(join(tmpdir(), 'tailguard-spool-'));
  folders.add(folder);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const f of folders) rmSync(f, { recursive: true, force: true });
    });
  }
  const file = join(folder, path === STDIN ? 'stdin' : basename(path));
  const hash = createHash('sha256');
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await pipeline(path === STDIN ? process.stdin : createReadStream(path), measure, createWriteStream(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // A full disk is the spool's own failure (exit 5); anything else is the input's (exit 3).
    if (code === 'ENOSPC') throw new TailguardError('output', `${inputName(path)}: cannot copy the input to ${folder}: the disk is full; set TMPDIR to a folder with room`, { file: path, cause: e });
    throw new TailguardError('input', `${inputName(path)}: cannot read the input to the end (${(e as Error).message})`, { file: path, cause: e });
  }
  return { file, size, sha256: hash.digest('hex') };
}
