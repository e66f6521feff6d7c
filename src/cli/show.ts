import { TailguardError } from '../errors.js';
import { editLog, readRunDocument } from '../pipeline/run-document.js';
import { defineCommand, expectArgs } from './command.js';
import { probabilitiesNote, renderEdits, renderHeader } from './show-render.js';

const HELP = `Usage: tailguard show <run folder> [--doc ID] [--probs] [--color auto|always|never] [--list]

One document of a finished run with its edits, as a diff shows changes: the original token red and
struck through, its replacement green. Piped, or with NO_COLOR set, the marks are plain text:
[-original-]{+replacement+}. Without --doc: the first document with a changed token.

Options:
  --doc ID         the document's id (as in edited.jsonl and edits.jsonl)
  --probs          mark every selected token, changed or not, with the prior's probability of
                   the original (from edits.jsonl)
  --color WHEN     auto (default: colour on a terminal, unless NO_COLOR is set), always, never
  --list           the run's document ids with their tokens, selected and changed, one a line
  -h, --help       this help

Example:
  tailguard show runs/toedit-ngram --doc brown/ca10 --probs`;

const FLAGS = { doc: { type: 'string' }, probs: { type: 'boolean' }, color: { type: 'string' }, list: { type: 'boolean' } } as const;

/** Colour when asked, or by default on a terminal whose user has not set NO_COLOR (https://no-color.org). */
function useColour(when: string | undefined): boolean {
  if (when === 'always') return true;
  if (when === 'never') return false;
  if (when !== undefined && when !== 'auto') throw new TailguardError('config', `--color expects auto, always or never, got "${when}"`);
  return process.stdout.isTTY === true && !process.env.NO_COLOR;
}

/** A reader that stops early (| head) has what it wanted: end quietly, as cat does, not with a stack trace. */
function endQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw new TailguardError('output', `standard output: ${e.message}`, { cause: e });
  });
}

export const showCommand = defineCommand('show', HELP, FLAGS, async (v, positionals) => {
  expectArgs('show', positionals, 'run folder');
  endQuietlyOnClosedPipe();
  const dir = positionals[0];
  const color = useColour(v.color);
  if (v.list) {
    if (v.doc !== undefined || v.probs) throw new TailguardError('config', '--list prints every id: it takes no --doc or --probs');
    console.log('id\ttokens\tselected\tchanged');
    for await (const line of editLog(dir)) console.log(`${line.id}\t${line.tokens}\t${line.selected}\t${line.changed}`);
    return 0;
  }
  const doc = await readRunDocument(dir, v.doc);
  const options = { color, probs: v.probs ?? false };
  const lines = [renderHeader(doc.log, doc.picked, options)];
  if (doc.quarantined) lines.push("the run's gate failed: this is its quarantined output (quarantine/)");
  if (options.probs) lines.push(probabilitiesNote(doc.log, doc.hasScores));
  lines.push('', renderEdits(doc.text, doc.log, options, dir));
  console.log(lines.join('\n'));
  return 0;
});
