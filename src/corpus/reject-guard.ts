import { TailguardError } from '../errors.js';
import type { ReadItem, Reject, RejectKind } from './document.js';
import { formatFromPath } from './formats.js';
import type { CorpusSpec } from './spec.js';

/**
 * Share of an input file's records that may be rejected (`maxRejectShare`). A file read with the
 * wrong settings (text field, format, encoding) rejects all or nearly all of its records, while
 * dirty but usable data (a crawl with broken lines) rejects a few percent: a majority of rejects
 * means the file is being misread, so the run stops and says how to read it instead.
 */
export const DEFAULT_MAX_REJECT_SHARE = 0.5;

/** What a kind of reject most often means when it dominates a file, and the fix. */
const FIX: Record<RejectKind, string> = {
  'malformed-json': 'is it JSONL, one JSON object per line? A file holding one JSON array needs --format json (or "format": "json")',
  'missing-text': 'set --text-field (or "textField" in the input) to the field that holds the text',
  'not-an-object': 'each record must be a JSON object with a text field, such as {"id": "1", "text": "…"}',
  'text-not-a-string': 'the text field must hold a string: set --text-field (or "textField" in the input) to the field that holds the text',
  'bad-id': 'ids must be strings or numbers: set --id-field (or "idField" in the input) to another field',
  'empty-text': 'the texts are empty: is --text-field (or "textField" in the input) the field that holds the text?',
  'invalid-utf8': 'the file is not UTF-8: convert it first, e.g. iconv -f latin1 -t utf-8',
  'invalid-unicode': 'the texts hold unpaired surrogate escapes (\\ud800): repair what wrote them',
  'duplicate-id': 'ids repeat: set --id-field (or "idField" in the input) to a field that is unique per record',
  'record-too-long': 'if such long lines are records, raise "maxRecordBytes" in the input',
  truncated: 'the file is cut short or corrupt: copy or decompress it again',
};

/** Where a reject was and why: `<file>:<line>: <reason>`, the one way a bad record is named in a message. */
export function rejectMessage(r: Reject): string {
  return `${r.file}${r.line !== undefined ? `:${r.line}` : r.offset !== undefined ? ` at byte ${r.offset}` : ''}: ${r.reason}`;
}

/** Stop with an input error at the first reject (`--strict`), in whichever pass reads first. */
export async function* stopAtFirstReject(items: AsyncIterable<ReadItem>): AsyncGenerator<ReadItem> {
  for await (const item of items) {
    if (!item.ok) throw new TailguardError('input', `${rejectMessage(item.reject)} (--strict stops at the first bad record)`, { file: item.reject.file, line: item.reject.line, docId: item.reject.id });
    yield item;
  }
}

/** Counts of one file's records: read, rejected, and rejects by kind (the manifest's per-file counts). */
export interface RecordCounts {
  read: number;
  rejected: number;
  rejects: Partial<Record<RejectKind, number>>;
}

/** Rejects of one file (or of the whole input) by kind, each with its first reject as the example when it was seen. */
class Tally {
  read = 0;
  rejected = 0;
  readonly kinds = new Map<RejectKind, { count: number; first?: Reject }>();

  static of(counts: RecordCounts): Tally {
    const t = new Tally();
    t.read = counts.read;
    t.rejected = counts.rejected;
    for (const [kind, count] of Object.entries(counts.rejects) as [RejectKind, number][]) t.kinds.set(kind, { count });
    return t;
  }

  add(item: ReadItem): void {
    this.read++;
    if (item.ok) return;
    this.rejected++;
    const k = this.kinds.get(item.reject.kind);
    if (k) k.count++;
    else this.kinds.set(item.reject.kind, { count: 1, first: item.reject });
  }

  /** The most frequent kind (the first met on a tie), its count, its first reject and the fix. */
  dominant(): string {
    const [kind, { count, first }] = [...this.kinds].reduce((a, b) => (b[1].count > a[1].count ? b : a));
    // A missing-text reject's own reason lists the record's fields and names the setting already.
    const fix = first?.kind === 'missing-text' ? undefined : FIX[kind];
    return `mostly ${kind} (${count})${first ? `, first ${rejectMessage(first)}` : ''}${fix ? `. Fix: ${fix}` : ''}`;
  }

  /** An input error when more than `max` of the file's records were rejected. */
  checkShare(file: string, max: number): void {
    if (this.rejected <= max * this.read) return;
    const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
    throw new TailguardError(
      'input',
      `${file}: ${this.rejected} of ${this.read} records were rejected (${pct(this.rejected / this.read)}), more than the ${pct(max)} allowed (maxRejectShare in the input, --max-reject-share): ${this.dominant()}`,
      { file },
    );
  }

  /** An input error when records were read but none became a document. */
  checkSomeDocument(name: string): void {
    if (this.read > 0 && this.rejected === this.read) throw new TailguardError('input', `${name}: no document to work on: all ${this.read} records were rejected, ${this.dominant()}`);
  }
}

function maxShareOf(spec: CorpusSpec): number {
  return 'maxRejectShare' in spec ? (spec.maxRejectShare ?? DEFAULT_MAX_REJECT_SHARE) : DEFAULT_MAX_REJECT_SHARE;
}

/**
 * Pass a corpus's items through, stopping with an input error (exit 3) as soon as it is certain
 * that the input is misread: when an input file ends with more than `maxRejectShare` of its
 * records rejected (a share is final only at the file's end; the next file is not read), and
 * when the whole input ends having yielded no document although it held records. Both messages
 * name the dominant reject kind, its first occurrence and the fix. Text files are one document
 * each, so a share of their records means nothing there; the no-document check still holds.
 */
export async function* guardRejects(items: AsyncIterable<ReadItem>, spec: CorpusSpec, name: string): AsyncGenerator<ReadItem> {
  const max = maxShareOf(spec);
  const whole = new Tally();
  let file: string | undefined;
  let tally = new Tally();
  const fileEnded = () => {
    if (file !== undefined && holdsRecords(spec, file)) tally.checkShare(file, max);
  };
  for await (const item of items) {
    const from = item.ok ? item.where?.file : item.reject.file;
    if (from !== file) {
      fileEnded();
      file = from;
      tally = new Tally();
    }
    tally.add(item);
    whole.add(item);
    yield item;
  }
  fileEnded();
  whole.checkSomeDocument(name);
}

/**
 * The same checks on a finished run's counts, for a sharded run, whose tasks each read only part
 * of a file: the merge makes them on the merged counts (without the first reject's example).
 */
export function checkRejectCounts(files: Record<string, RecordCounts>, total: RecordCounts, spec: CorpusSpec, name: string): void {
  for (const [file, counts] of Object.entries(files)) if (holdsRecords(spec, file)) Tally.of(counts).checkShare(file, maxShareOf(spec));
  Tally.of(total).checkSomeDocument(name);
}

/** Whether the file holds records (JSONL, JSON, Parquet) rather than being one document (text). */
function holdsRecords(spec: CorpusSpec, file: string): boolean {
  if (spec.format === 'files') return (spec.fileFormat ?? formatFromPath(file)) !== 'text';
  return spec.format === 'jsonl' || spec.format === 'json' || spec.format === 'parquet';
}
