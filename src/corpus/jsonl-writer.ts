import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';

/**
 * Write JSON lines to `<path>.partial` and rename to `path` only when closed successfully, so a
 * file under its final name is always complete. Honours back-pressure.
 */
export class JsonlWriter {
  readonly path: string;
  private readonly partial: string;
  private readonly stream: WriteStream;
  count = 0;

  constructor(path: string) {
    this.path = path;
    this.partial = `${path}.partial`;
    this.stream = createWriteStream(this.partial, { encoding: 'utf8' });
  }

  async write(record: unknown): Promise<void> {
    this.count++;
    if (!this.stream.write(JSON.stringify(record) + '\n')) await once(this.stream, 'drain');
  }

  /** Flush and move to the final name (or to `finalPath` when given, e.g. a quarantine name). */
  async close(finalPath = this.path): Promise<void> {
    this.stream.end();
    await once(this.stream, 'finish');
    await rename(this.partial, finalPath);
  }

  /** Give up: remove the partial file. */
  async abort(): Promise<void> {
    this.stream.destroy();
    await rm(this.partial, { force: true });
  }
}
