import { fnv1a } from '../hash.js';

/** A piece of a reference document; its id is the document's id and the piece's number. */
export interface Segment {
  id: string;
  docId: string;
  text: string;
}

/**
 * Cut a text into consecutive pieces of about `chars` characters, each ending at whitespace
 * (a piece is longer only when a word is). Features such as the curvature grow with length, so
 * reference pieces of the target documents' length are what makes their scores comparable. A
 * trailing piece shorter than half the size is dropped; `max` > 0 keeps only the first pieces.
 */
export function segmentText(docId: string, text: string, chars: number, max: number): Segment[] {
  const out: Segment[] = [];
  let start = text.search(/\S/);
  while (start >= 0 && start < text.length && (max === 0 || out.length < max)) {
    let end = Math.min(text.length, start + chars);
    if (end < text.length) {
      let back = end;
      while (back > start && !/\s/.test(text[back])) back--;
      const forward = text.slice(end).search(/\s/);
      end = back > start ? back : forward < 0 ? text.length : end + forward;
    }
    const piece = text.slice(start, end).trim();
    if (piece.length * 2 < chars) break;
    out.push({ id: `${docId}#${out.length}`, docId, text: piece });
    const next = text.slice(end).search(/\S/);
    start = next < 0 ? -1 : end + next;
  }
  return out;
}

/**
 * Split document ids into a calibration part and a held-out part: ids ordered by a seeded hash,
 * the first `share` of them (rounded, at least one on each side when there are two) calibrate.
 * Splitting by document keeps two pieces of one text out of different parts.
 */
export function splitDocuments(ids: readonly string[], share: number, seed: number): { calibration: Set<string>; heldout: Set<string> } {
  const ordered = [...new Set(ids)].sort((a, b) => fnv1a(a, seed) - fnv1a(b, seed) || (a < b ? -1 : 1));
  const k = ordered.length < 2 ? ordered.length : Math.min(ordered.length - 1, Math.max(1, Math.round(share * ordered.length)));
  return { calibration: new Set(ordered.slice(0, k)), heldout: new Set(ordered.slice(k)) };
}
