import type { AppliedEdit, PriorModel, TokenizedText } from '../../src/index.js';

const ENDS_IN_WORD = /[\p{L}\p{M}\p{N}_]$/u;
const STARTS_IN_WORD = /^[\p{L}\p{M}\p{N}_]/u;
const joins = (left: string, right: string) => ENDS_IN_WORD.test(left) && STARTS_IN_WORD.test(right);

/** What went wrong with one document's edits, as readable lines (none when the edits kept the text true). */
export interface IntegrityReport {
  fused: string[];
  split: string[];
  retokenized: string[];
  digits: string[];
}

/**
 * Checks an edited document the way a reader would, independently of the edit code: a changed
 * replacement must not touch a word character on a side where the original did not (a fused
 * word) nor leave one the original touched (a split word); the edited text must tokenize into
 * the original tokens with the replacements in place and the deleted tokens gone; a deletion may
 * neither join two word characters nor leave whitespace doubled where it cut; and (with numbers
 * protected) no changed edit may hold a digit.
 */
export function integrityOf(prior: Pick<PriorModel, 'tokenize'>, text: string, tokens: TokenizedText, edited: string, applied: readonly AppliedEdit[]): IntegrityReport {
  const r: IntegrityReport = { fused: [], split: [], retokenized: [], digits: [] };
  const changed = applied.filter((a) => a.changed && a.kind === 'resample');
  for (const a of changed) {
    const where = `${JSON.stringify(text.slice(Math.max(0, a.start - 12), a.end + 12))} -> ${JSON.stringify(edited.slice(Math.max(0, a.outStart - 12), a.outEnd + 12))}`;
    const sides = [
      [joins(text.slice(0, a.start), a.original), joins(edited.slice(0, a.outStart), a.replacement)],
      [joins(a.original, text.slice(a.end)), joins(a.replacement, edited.slice(a.outEnd))],
    ];
    if (sides.some(([before, after]) => after && !before)) r.fused.push(where);
    if (sides.some(([before, after]) => before && !after)) r.split.push(where);
    if (/\p{Nd}/u.test(a.original) || /\p{Nd}/u.test(a.replacement)) r.digits.push(where);
  }
  // A deletion joins what was left and right of it: no word characters fused, no whitespace doubled.
  for (const a of applied.filter((e) => e.kind === 'delete')) {
    const where = `${JSON.stringify(text.slice(Math.max(0, a.start - 12), a.end + 12))} -> ${JSON.stringify(edited.slice(Math.max(0, a.outStart - 12), a.outEnd + 12))}`;
    const before = edited.slice(0, a.outStart);
    const after = edited.slice(a.outEnd);
    if (joins(before, after)) r.fused.push(`deleted: ${where}`);
    if (/\s$/.test(before) && /^\s/.test(after)) r.split.push(`deleted, whitespace doubled: ${where}`);
    if (/\p{Nd}/u.test(a.original)) r.digits.push(`deleted: ${where}`);
  }
  {
    const deleted = new Set(applied.filter((a) => a.kind === 'delete').map((a) => a.position));
    const replaced = Int32Array.from(tokens.ids);
    for (const a of changed) replaced[a.position] = a.replacementId;
    const expected = replaced.filter((_, i) => !deleted.has(i));
    const got = prior.tokenize(edited).ids;
    const k = got.findIndex((id, i) => id !== expected[i]);
    if (got.length !== expected.length || k >= 0) {
      const at = k >= 0 ? k : Math.min(got.length, expected.length);
      r.retokenized.push(`token ${at} of ${expected.length} (${got.length} after): ${JSON.stringify(edited.slice(Math.max(0, (prior.tokenize(edited).starts[at] ?? edited.length) - 20), (prior.tokenize(edited).starts[at] ?? edited.length) + 20))}`);
    }
  }
  return r;
}
