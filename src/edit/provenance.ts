import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { TokenizedText } from '../prior/types.js';
import { TailguardError } from '../errors.js';
import type { AppliedEdit } from './apply.js';

/**
 * The provenance mask read back (ToEdit's bound assumes each position is edited at most once
 * across generations). A run's edits.jsonl gives, per document, the character spans of its output
 * that no later generation may select: the spans of every position it selected, and the spans it
 * inherited, carried through its own edits. Character spans survive re-tokenization, so the next
 * generation maps them onto its own tokens (which may be another prior's).
 */
export type LockedSpans = Map<string, number[]>;

/** Read the locked spans of every document of an earlier run's edits.jsonl. */
export async function readLockedSpans(path: string): Promise<LockedSpans> {
  const spans: LockedSpans = new Map();
  let line = 0;
  try {
    const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
    for await (const text of lines) {
      line++;
      if (text.trim() === '') continue;
      const record = parse(path, line, text);
      spans.set(record.id, lockedOf(record));
    }
  } catch (e) {
    if (e instanceof TailguardError) throw e;
    throw new TailguardError('input', `${path}: cannot read the edits of an earlier run (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give the edits.jsonl of a finished tailguard edit or run`, { file: path, cause: e });
  }
  return spans;
}

interface EditLogRecord {
  id: string;
  edits: { outStart: number; outEnd: number }[];
  /** Spans inherited from earlier generations, flat [start, end, …] in this record's output. */
  lockedSpans?: number[];
}

function parse(path: string, line: number, text: string): EditLogRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new TailguardError('input', `${path}:${line}: not valid JSON (${(e as Error).message})`, { file: path, line, cause: e });
  }
  const r = value as Partial<EditLogRecord>;
  const spanOk = (e: unknown) => Number.isInteger((e as EditLogRecord['edits'][number])?.outStart) && Number.isInteger((e as EditLogRecord['edits'][number])?.outEnd);
  if (typeof r?.id !== 'string' || !Array.isArray(r.edits) || !r.edits.every(spanOk) || (r.lockedSpans !== undefined && !(Array.isArray(r.lockedSpans) && r.lockedSpans.every(Number.isInteger)))) {
    throw new TailguardError('input', `${path}:${line}: not an edits.jsonl record (needs "id" and "edits" with outStart/outEnd)`, { file: path, line });
  }
  return r as EditLogRecord;
}

/** A record's locked output spans, flat [start, end, …]: its own edits' spans and the ones it carried. */
function lockedOf(r: EditLogRecord): number[] {
  const own = r.edits.flatMap((e) => [e.outStart, e.outEnd]);
  return sortSpans([...(r.lockedSpans ?? []), ...own]);
}

/** Spans sorted by start, overlapping ones merged, empty ones dropped. */
function sortSpans(flat: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let k = 0; k < flat.length; k += 2) if (flat[k + 1] > flat[k]) pairs.push([flat[k], flat[k + 1]]);
  pairs.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [start, end] of pairs) {
    if (merged.length > 0 && start < merged[merged.length - 1]) merged[merged.length - 1] = Math.max(merged[merged.length - 1], end);
    else merged.push(start, end);
  }
  return merged;
}

/** 1 for every token that shares a character with a locked span (spans sorted and merged). */
export function lockedMask(spans: readonly number[] | undefined, tokens: TokenizedText): Uint8Array | undefined {
  if (!spans || spans.length === 0) return undefined;
  const mask = new Uint8Array(tokens.ids.length);
  let k = 0;
  for (let i = 0; i < mask.length; i++) {
    while (k < spans.length && spans[k + 1] <= tokens.starts[i]) k += 2;
    if (k < spans.length && spans[k] < tokens.ends[i]) mask[i] = 1;
  }
  return mask;
}

/**
 * The inherited spans (in this generation's input) moved to where they are in its output: every
 * edit before a span shifts it by the length it added or removed. Edits never touch a locked token.
 */
export function carryLocked(spans: readonly number[] | undefined, applied: readonly AppliedEdit[]): number[] {
  if (!spans) return [];
  const out: number[] = [];
  let a = 0;
  let shift = 0;
  for (let k = 0; k < spans.length; k += 2) {
    while (a < applied.length && applied[a].end <= spans[k]) {
      shift += applied[a].outEnd - applied[a].outStart - (applied[a].end - applied[a].start);
      a++;
    }
    out.push(spans[k] + shift, spans[k + 1] + shift);
  }
  return out;
}
