import { stat } from 'node:fs/promises';
import type { ReadItem } from '../corpus/document.js';
import { compressionOf } from '../corpus/open-bytes.js';
import type { CorpusSpec } from '../corpus/spec.js';
import { type CorpusUnit, corpusUnits } from '../corpus/units.js';
import type { ByteMeasure } from '../progress.js';

/**
 * How far a pass has read through the input files, in bytes, for a progress bar with an ETA
 * when there is no document count to go by. Files before the current one count whole; within
 * an uncompressed JSONL file the record's byte offset says where reading is (in a compressed
 * file offsets are of the decompressed data, so such a file counts once the next one starts).
 * Reading runs batches ahead of processing, so positions are queued as items are read and
 * taken as they are processed (`advance`): the bar shows what is done, not what was read.
 */
export class InputPosition implements ByteMeasure {
  readonly total: number;
  private reached = 0;
  private readonly queued: number[] = [];
  private head = 0;
  private readonly index = new Map<string, number>();
  private readonly before: number[] = [];

  private constructor(
    private readonly units: CorpusUnit[],
    private readonly sizes: number[],
  ) {
    let sum = 0;
    units.forEach((u, i) => {
      this.index.set(u.path, i).set(u.name, i);
      this.before.push(sum);
      sum += sizes[i];
    });
    this.total = sum;
  }

  /** The measure of a corpus made of files, or undefined (Brown, a folder of text files, stdin). */
  static async of(spec: CorpusSpec): Promise<InputPosition | undefined> {
    if (spec.format === 'brown') return undefined;
    const units = await corpusUnits(spec);
    const stats = await Promise.all(units.map((u) => stat(u.path).catch(() => undefined)));
    if (stats.some((s) => !s?.isFile())) return undefined;
    return new InputPosition(units, stats.map((s) => s!.size));
  }

  get done(): number {
    return this.reached;
  }

  /** The items, unchanged, noting where each was read. */
  async *follow(items: AsyncIterable<ReadItem>): AsyncGenerator<ReadItem> {
    for await (const item of items) {
      this.queued.push(this.positionOf(item));
      yield item;
    }
  }

  /** `records` more of the items followed are done, in the order they were read. */
  advance(records: number): void {
    for (let n = 0; n < records && this.head < this.queued.length; n++) this.reached = Math.max(this.reached, this.queued[this.head++]);
    if (this.head > 1024) {
      this.queued.splice(0, this.head);
      this.head = 0;
    }
  }

  private positionOf(item: ReadItem): number {
    const { file, offset } = item.ok ? { file: item.where?.file, offset: item.where?.offset } : item.reject;
    const i = file === undefined ? undefined : this.index.get(file);
    if (i === undefined) return this.reached;
    const unit = this.units[i];
    const linear = unit.format === 'jsonl' && compressionOf(unit.path) === undefined && offset !== undefined;
    return this.before[i] + (linear ? Math.min(offset, this.sizes[i]) : 0);
  }
}
