import { createWriteStream, existsSync, fsync, openSync, renameSync, statSync, truncateSync, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { TailguardError } from '../errors.js';

const fsyncAsync = promisify(fsync);

/** How far a writer had got at a checkpoint: what a resumed run keeps of its file. */
export interface WriterPosition {
  bytes: number;
  records: number;
}

/**
 * Write JSON lines to `<path>.partial` and rename to `path` only when closed successfully, so a
 * file under its final name is always complete. Honours back-pressure. `flush` makes everything
 * written so far durable, so a checkpoint can record the file's length; a resumed writer cuts the
 * file back to that length and appends from there.
 */
export class JsonlWriter {
  readonly path: string;
  /** Where records go until `close` renames the file to `path`. */
  readonly partial: string;
  private readonly stream: WriteStream;
  private readonly fd: number;
  count = 0;
  /** Bytes written so far (the length of the partial file once flushed). */
  bytes = 0;

  private failure: Error | null = null;
  private lastWrite: Promise<void> = Promise.resolve();

  /** `resumeAt`: continue the partial file of an interrupted run from a checkpoint's position. */
  constructor(path: string, resumeAt?: WriterPosition, earlierNames: string[] = []) {
    this.path = path;
    this.partial = `${path}.partial`;
    if (resumeAt) {
      reclaim(this.partial, [path, ...earlierNames]);
      const size = existsSync(this.partial) ? statSync(this.partial).size : -1;
      if (size < resumeAt.bytes) {
        throw new TailguardError('output', `cannot resume: ${this.partial} has ${size < 0 ? 'gone' : `${size} bytes`}, the checkpoint recorded ${resumeAt.bytes}; start over with --force`, { file: this.partial });
      }
      // Records written after the checkpoint are cut off; the resumed run writes them again, identically.
      truncateSync(this.partial, resumeAt.bytes);
      this.count = resumeAt.records;
      this.bytes = resumeAt.bytes;
    }
    try {
      this.fd = openSync(this.partial, resumeAt ? 'a' : 'w');
    } catch (e) {
      throw new TailguardError('output', `${this.partial}: cannot create (${(e as NodeJS.ErrnoException).code})`, { file: this.partial, cause: e });
    }
    this.stream = createWriteStream(this.partial, { fd: this.fd, encoding: 'utf8' });
    // Without a listener a write error (full disk) would kill the process; keep it and report it
    // as an output error at the next write or close.
    this.stream.on('error', (e) => (this.failure ??= e));
  }

  private check(): void {
    if (this.failure) throw new TailguardError('output', `${this.partial}: cannot write (${(this.failure as NodeJS.ErrnoException).code ?? this.failure.message})`, { file: this.partial, cause: this.failure });
  }

  async write(record: unknown): Promise<void> {
    this.check();
    const line = JSON.stringify(record) + '\n';
    this.count++;
    this.bytes += Buffer.byteLength(line);
    let ok = true;
    // Writes complete in order, so the last one's callback means all are with the OS.
    this.lastWrite = new Promise((done) => (ok = this.stream.write(line, () => done())));
    if (!ok) await once(this.stream, 'drain');
  }

  /** Wait until every record written so far is on disk; then `bytes` is the file's length. */
  async flush(): Promise<WriterPosition> {
    await this.lastWrite;
    this.check();
    await fsyncAsync(this.fd);
    return { bytes: this.bytes, records: this.count };
  }

  /** Flush and move to the final name (or to `finalPath` when given, e.g. a quarantine name). */
  async close(finalPath = this.path): Promise<void> {
    await this.end();
    await rename(this.partial, finalPath);
  }

  /** Flush and close, keeping the partial file for a resumed run. */
  async end(): Promise<void> {
    this.check();
    this.stream.end();
    await Promise.race([once(this.stream, 'finish'), once(this.stream, 'error')]);
    this.check();
  }

  /**
   * Stop at once and leave the partial file as it is: records not yet handed to the OS are
   * dropped, never written. For a writer whose file another process may own by now.
   */
  abandon(): void {
    this.stream.destroy();
  }

  /** Give up: remove the partial file. */
  async abort(): Promise<void> {
    this.stream.destroy();
    await rm(this.partial, { force: true });
  }
}

/**
 * A run killed while renaming its finished files has some under their final (or quarantine)
 * names already: move such a file back so the resumed run finds it where it left it.
 */
function reclaim(partial: string, names: string[]): void {
  if (existsSync(partial)) return;
  const found = names.find((n) => existsSync(n));
  if (found) renameSync(found, partial);
}
