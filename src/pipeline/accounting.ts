import type { RejectKind } from '../corpus/document.js';
import { TailguardError } from '../errors.js';

/** Counts of one input file (or of the whole run). */
export interface FileCounts {
  read: number;
  written: number;
  rejected: number;
  /** Rejects by kind, e.g. `{ "malformed-json": 2 }`. */
  rejects: Partial<Record<RejectKind, number>>;
}

const empty = (): FileCounts => ({ read: 0, written: 0, rejected: 0, rejects: {} });

/**
 * Every record read is written or rejected, per input file and for the run. Plain values, so a
 * checkpoint can carry them and a resumed run goes on counting where the killed one stopped.
 */
export class Accounting {
  readonly total: FileCounts;
  readonly files: Record<string, FileCounts>;

  constructor(state?: { total: FileCounts; files: Record<string, FileCounts> }) {
    this.total = state ? structuredClone(state.total) : empty();
    this.files = state ? structuredClone(state.files) : {};
  }

  /** Make a file appear in the manifest even if it holds no record (an empty file). */
  expect(file: string): void {
    this.files[file] ??= empty();
  }

  written(file: string): void {
    for (const c of [this.total, (this.files[file] ??= empty())]) {
      c.read++;
      c.written++;
    }
  }

  rejected(file: string, kind: RejectKind): void {
    for (const c of [this.total, (this.files[file] ??= empty())]) {
      c.read++;
      c.rejected++;
      c.rejects[kind] = (c.rejects[kind] ?? 0) + 1;
    }
  }

  /** Add the counts of a later part of the input (a shard), file by file, keeping first-seen order. */
  merge(part: { total: FileCounts; files: Record<string, FileCounts> }): void {
    add(this.total, part.total);
    for (const [file, c] of Object.entries(part.files)) add((this.files[file] ??= empty()), c);
  }

  /** Throw if any file, or the run, or an output file's record count, does not balance. */
  check(outputs: { written: number[]; rejected: number }): void {
    const problems: string[] = [];
    for (const [name, c] of [['run', this.total], ...Object.entries(this.files)] as [string, FileCounts][]) {
      if (c.read !== c.written + c.rejected) problems.push(`${name}: read ${c.read} != written ${c.written} + rejected ${c.rejected}`);
    }
    const sum = (f: (c: FileCounts) => number) => Object.values(this.files).reduce((s, c) => s + f(c), 0);
    if (sum((c) => c.read) !== this.total.read) problems.push(`the files' reads add up to ${sum((c) => c.read)}, the run read ${this.total.read}`);
    for (const n of outputs.written) if (n !== this.total.written) problems.push(`an output file holds ${n} records, ${this.total.written} documents were written`);
    if (outputs.rejected !== this.total.rejected) problems.push(`rejects.jsonl holds ${outputs.rejected} records, ${this.total.rejected} were rejected`);
    if (problems.length) throw new TailguardError('internal', `accounting does not balance (a bug: please report it):\n  ${problems.join('\n  ')}`);
  }
}

function add(to: FileCounts, from: FileCounts): void {
  to.read += from.read;
  to.written += from.written;
  to.rejected += from.rejected;
  for (const [kind, n] of Object.entries(from.rejects) as [RejectKind, number][]) to.rejects[kind] = (to.rejects[kind] ?? 0) + n;
}
