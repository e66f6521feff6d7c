import { TailguardError } from '../errors.js';
import type { EditLogLine, LoggedEdit } from '../pipeline/run-document.js';

/**
 * How an edit is marked. With colour, as a diff is: the original red and struck through, the
 * replacement green. Without (piped, NO_COLOR), in wdiff's notation, which survives any pager or
 * file and reads back unambiguously: [-original-]{+replacement+}.
 */
interface Marks {
  removed: (s: string) => string;
  added: (s: string) => string;
  /** A selected token the edit left as it was (shown only with probabilities). */
  kept: (s: string) => string;
  note: (s: string) => string;
}

const ESC = '\u001b[';
const COLOUR: Marks = {
  removed: (s) => `${ESC}9;31m${s}${ESC}29;39m`,
  added: (s) => `${ESC}32m${s}${ESC}39m`,
  kept: (s) => `${ESC}4m${s}${ESC}24m`,
  note: (s) => `${ESC}2m${s}${ESC}22m`,
};
const PLAIN: Marks = {
  removed: (s) => `[-${s}-]`,
  added: (s) => `{+${s}+}`,
  kept: (s) => s,
  note: (s) => s,
};

export interface RenderOptions {
  color: boolean;
  /** Annotate every selected token with the prior's probability of the original. */
  probs: boolean;
}

/**
 * The edited text with each edit marked at its place (edits are logged with their spans in the
 * output, sorted and disjoint). A replacement that is not at its logged span means the corpus and
 * the log are not of the same run: refused rather than shown wrong.
 */
export function renderEdits(text: string, log: EditLogLine, options: RenderOptions, source: string): string {
  const m = options.color ? COLOUR : PLAIN;
  const parts: string[] = [];
  let cursor = 0;
  for (const e of log.edits) {
    if (!e.changed && !options.probs) continue;
    if (e.outStart < cursor || text.slice(e.outStart, e.outEnd) !== e.replacement) {
      throw new TailguardError('input', `${source}: document "${log.id}" does not hold the replacement ${JSON.stringify(e.replacement)} at characters ${e.outStart}-${e.outEnd} its edit log gives; the edited corpus and edits.jsonl are not of one run`, { file: source, docId: log.id });
    }
    parts.push(text.slice(cursor, e.outStart), markEdit(e, m), options.probs ? m.note(probability(e)) : '');
    cursor = e.outEnd;
  }
  parts.push(text.slice(cursor));
  return parts.join('');
}

/** One edit; whitespace both tokens start with stays outside the marks, so " States" → " Nations" reads " [-States-]{+Nations+}". */
function markEdit(e: LoggedEdit, m: Marks): string {
  if (!e.changed) return m.kept(e.replacement);
  const lead = commonLeadingSpace(e.original, e.replacement);
  const original = e.original.slice(lead.length);
  const replacement = e.replacement.slice(lead.length);
  return lead + m.removed(original) + (replacement === '' ? '' : m.added(replacement));
}

function commonLeadingSpace(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i] && /\s/.test(a[i])) i++;
  return a.slice(0, i);
}

function probability(e: LoggedEdit): string {
  return e.p === undefined ? '(p=?)' : `(p=${e.p.toFixed(3)}${e.rank !== undefined && e.rank !== 1 ? `, rank ${e.rank}` : ''})`;
}

/** The lines above the text: which document, its counts, how it was picked, and the key to the marks. */
export function renderHeader(log: EditLogLine, picked: 'given' | 'first-edited' | 'first', options: RenderOptions): string {
  const share = log.tokens > 0 ? ` (${((log.changed / log.tokens) * 100).toFixed(2)}% of tokens)` : '';
  const deleted = log.deleted > 0 ? `, ${log.deleted} deleted` : '';
  const why = { given: '', 'first-edited': '; the first document with edits (--doc ID for another, --list for every id)', first: '; no document of this run has a changed token, so the first is shown (--list for every id)' }[picked];
  const m = options.color ? COLOUR : PLAIN;
  const key = `key: ${m.removed('original')}${m.added('replacement')}${options.probs ? `, ${m.kept('selected, unchanged')}${m.note('(p=prior probability of the original)')}` : ''}`;
  return `${log.id}: ${log.tokens} tokens, ${log.selected} selected, ${log.changed} changed${share}${deleted}${why}\n${key}`;
}

/** What the probabilities shown are, and where the others are (or that they were not kept). */
export function probabilitiesNote(log: EditLogLine, hasScores: boolean): string {
  const missing = log.edits.some((e) => e.p === undefined);
  const shown = missing ? "this run's edits.jsonl keeps no probabilities: p=? marks them" : `probabilities of the ${log.selected} selected tokens, from edits.jsonl`;
  const others = hasScores ? "every token's probability is in scores.jsonl" : 'the probabilities of the other tokens were not kept ("writeScores": true in the pipeline writes scores.jsonl)';
  return `${shown}; ${others}`;
}
