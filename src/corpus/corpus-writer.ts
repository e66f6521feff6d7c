import { rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { convertJsonl } from './convert-jsonl.js';
import { JsonlWriter, type WriterPosition } from './jsonl-writer.js';
import { isPlainJsonl, type OutputLayout } from './output-format.js';

/** What a run writes records through, whatever the output layout. */
export interface RecordWriter {
  /** The final name of a plain JSONL file; for other layouts the staging file's name without `.partial`. */
  readonly path: string;
  readonly count: number;
  write(record: unknown): Promise<void>;
  flush(): Promise<WriterPosition>;
  /**
   * Move to the final name (or `finalPath`). `keepStaging`: a converting writer keeps its staging
   * file for `removeStaging` to remove later, so a run killed before it is marked finished can
   * convert again (the converted files cannot be cut back to a checkpoint and resumed).
   */
  close(finalPath?: string, keepStaging?: boolean): Promise<void>;
  removeStaging(): Promise<void>;
  end(): Promise<void>;
  abort(): Promise<void>;
  /** Stop at once, dropping what is not yet written and leaving the files as they are. */
  abandon(): void;
  /** The files written, by name, once closed. */
  outputs(): string[];
}

/**
 * A writer for `<dir>/<stem>.jsonl` in `layout`. Plain JSONL is written in place, as always.
 * Compressed, Parquet and sharded layouts cannot be cut back to a checkpoint's length and
 * appended to, so their records are staged as `<stem>.jsonl.partial` (resumable byte for byte,
 * like plain JSONL) and converted when the writer closes; the staging file is then removed.
 */
export function openRecordWriter(path: string, layout: OutputLayout, resumeAt?: WriterPosition, earlierNames: string[] = []): RecordWriter {
  const jsonl = new JsonlWriter(path, resumeAt, earlierNames);
  if (isPlainJsonl(layout)) return Object.assign(jsonl, { outputs: () => [basename(jsonl.path)], removeStaging: async () => {} });
  return new ConvertingWriter(jsonl, layout);
}

class ConvertingWriter implements RecordWriter {
  private names: string[] = [];

  constructor(
    private readonly staged: JsonlWriter,
    private readonly layout: OutputLayout,
  ) {}

  get path(): string {
    return this.staged.path;
  }

  get count(): number {
    return this.staged.count;
  }

  write(record: unknown): Promise<void> {
    return this.staged.write(record);
  }

  flush(): Promise<WriterPosition> {
    return this.staged.flush();
  }

  /** Convert into the folder of `finalPath` (the run folder, or its quarantine). */
  async close(finalPath = this.path, keepStaging = false): Promise<void> {
    await this.staged.end();
    const stem = basename(this.path).replace(/\.jsonl$/, '');
    this.names = await convertJsonl(this.staged.partial, dirname(finalPath), stem, this.layout, this.staged.count);
    if (!keepStaging) await this.removeStaging();
  }

  async removeStaging(): Promise<void> {
    await rm(this.staged.partial, { force: true });
  }

  end(): Promise<void> {
    return this.staged.end();
  }

  abort(): Promise<void> {
    return this.staged.abort();
  }

  abandon(): void {
    this.staged.abandon();
  }

  outputs(): string[] {
    return this.names;
  }
}

