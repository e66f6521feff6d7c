import type { TokenEdit } from './resample.js';

/** An edit as logged: its span in the input and where its replacement landed in the output. */
export interface AppliedEdit extends TokenEdit {
  outStart: number;
  outEnd: number;
}

/**
 * Rewrite `text` with the edits (sorted by position, non-overlapping spans). Characters outside
 * the spans are copied unchanged, so every changed character of the output lies inside some
 * [outStart, outEnd).
 */
export function applyEdits(text: string, edits: readonly TokenEdit[]): { text: string; applied: AppliedEdit[] } {
  const parts: string[] = [];
  const applied: AppliedEdit[] = [];
  let cursor = 0;
  let outLength = 0;
  for (const e of edits) {
    if (e.start < cursor) throw new Error(`applyEdits: overlapping edit at position ${e.position}`);
    const kept = text.slice(cursor, e.start);
    parts.push(kept, e.replacement);
    const outStart = outLength + kept.length;
    outLength = outStart + e.replacement.length;
    applied.push({ ...e, outStart, outEnd: outLength });
    cursor = e.end;
  }
  parts.push(text.slice(cursor));
  return { text: parts.join(''), applied };
}
