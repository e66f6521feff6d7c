import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { withoutComments } from '../config-file.js';
import { corpusArgument } from '../corpus/argument.js';
import { guessFields, sampleRecords } from '../corpus/guess-fields.js';
import { STDIN } from '../corpus/spool.js';
import { TailguardError } from '../errors.js';
import { parsePipeline } from '../pipeline/config.js';
import { type StarterInput, starterPipeline } from '../pipeline/starter.js';
import { writeFileAtomic } from '../run-io/run-folder.js';
import { defineCommand, int } from './command.js';

const HELP = `Usage: tailguard init [FILE] [--out PIPELINE.jsonc] [--records N] [--force]

Writes a starter pipeline with a comment above every key. Given FILE (a .jsonl, .json or .parquet
file, also .gz/.zst, or a folder or quoted glob of them), it reads the first records and guesses
the text field (the longest prose-like string field) and the id field (named like an id, values
all different); the comments say what each guess rests on. Without FILE: a pipeline on the Brown
corpus's held-out split. The prior is the built-in n-gram model, so the pipeline runs as written:
  tailguard init data/my.jsonl && tailguard run pipeline.jsonc --limit 20

Options:
  --out FILE       where to write it (default: pipeline.jsonc); never over an existing file
                   without --force
  --records N      records to read for the guesses (default 200)
  --force          replace an existing file
  -h, --help       this help

Example:
  tailguard init data/my.jsonl --out my-pipeline.jsonc`;

const FLAGS = { out: { type: 'string' }, records: { type: 'string' }, force: { type: 'boolean' } } as const;

/** The run name a corpus path suggests: its file or folder name without extensions, in the characters a name may hold. */
function nameOf(path: string): string {
  const base = basename(path.replace(/[*?[{].*$/, '').replace(/\/+$/, '')).replace(/\..*$/, '');
  return base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'corpus';
}

/** What init learns of the user's corpus: its format and path for the pipeline, and the fields of its first records. */
async function lookAt(path: string, records: number, log: string[]): Promise<StarterInput> {
  const spec = corpusArgument(path);
  if (spec.format === 'brown') throw new TailguardError('config', `init: ${path} needs no starter of its own: run tailguard init without FILE for a pipeline on the Brown corpus`);
  if (spec.path === STDIN) throw new TailguardError('config', 'init: give a file; standard input could not be read again by the run');
  if (spec.format === 'text') return { path, format: 'text', records: 0 };
  const sample = await sampleRecords(spec.path, records);
  if (sample.records.length === 0 && sample.files.every((f) => f.format === 'text')) return { path, format: spec.format, records: 0 };
  const fields = guessFields(sample.records, path);
  log.push(`text field "${fields.text.field}": ${fields.text.reason}`);
  log.push(fields.id ? `id field "${fields.id.field}": ${fields.id.reason}` : 'id field: none found (records without an "id" are named <file>:<line>)');
  if (sample.unreadable > 0) log.push(`${sample.unreadable} of the first records could not be read (malformed JSON or not an object): a run writes them to rejects.jsonl`);
  return { path, format: spec.format, text: fields.text, id: fields.id, records: sample.records.length };
}

export const initCommand = defineCommand('init', HELP, FLAGS, async (v, positionals) => {
  if (positionals.length > 1) throw new TailguardError('config', `init: expected at most one corpus file, got ${positionals.length} (see --help)`);
  const out = v.out ?? 'pipeline.jsonc';
  const log: string[] = [];
  const input = positionals[0] === undefined ? undefined : await lookAt(positionals[0], int('records', v.records) ?? 200, log);
  const text = starterPipeline(input ? nameOf(input.path) : 'brown-heldout', out, input);
  // What init writes must load as a pipeline: a starter that does not run is a bug here, not the user's.
  try {
    parsePipeline(JSON.parse(withoutComments(text)), 'the starter pipeline');
  } catch (e) {
    throw new TailguardError('internal', `init wrote a pipeline that does not load: ${(e as Error).message}`, { cause: e });
  }
  if (v.force) await writeFileAtomic(out, text);
  else {
    await writeFile(out, text, { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'EEXIST') throw new TailguardError('output', `${out} exists; pass --force to replace it or --out to write elsewhere`, { file: out, cause: e });
      throw new TailguardError('output', `${out}: cannot write (${e.code})`, { file: out, cause: e });
    });
  }
  console.log([...log, `wrote ${out}; run it with: tailguard run ${out} --limit 20`].join('\n'));
  return 0;
});
