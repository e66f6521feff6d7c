import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { TailguardError } from '../errors.js';

/**
 * Write JSON lines to `<path>.partial` and rename to `path` only when closed successfully, so a
 * file under its final name is always complete. Honours back-pressure.
 */
export class JsonlWriter {
  readonly path: string;
  private readonly partial: string;
  private readonly stream: WriteStream;
  count = 0;

  private failure: Error | null = null;

  constructor(path: string) {
    this.path = path;
    this.partial = `${path}.partial`;
    this.stream = createWriteStream(this.partial, { encoding: 'utf8' });
    // Without a listener an open or write error (read-only folder, full disk) would kill the
    // process; keep it and report it as an output error at the next write or close.
    this.stream.on('error', (e) => (this.failure ??= e));
  }

  private check(): void {
    if (this.failure) throw new TailguardError('output', `${this.partial}: cannot write (${(this.failure as NodeJS.ErrnoException).code ?? this.failure.message})`, { file: this.partial, cause: this.failure });
  }

  async write(record: unknown): Promise<void> {
    this.check();
    this.count++;
    if (!this.stream.write(JSON.stringify(record) + '\n')) await once(this.stream, 'drain');
  }

  /** Flush and move to the final name (or to `finalPath` when given, e.g. a quarantine name). */
  async close(finalPath = this.path): Promise<void> {
    this.check();
    this.stream.end();
    await Promise.race([once(this.stream, 'finish'), once(this.stream, 'error')]);
    this.check();
    await rename(this.partial, finalPath);
  }

  /** Give up: remove the partial file. */
  async abort(): Promise<void> {
    this.stream.destroy();
    await rm(this.partial, { force: true });
  }
}
