import { mergeShards } from '../pipeline/shards/merge.js';
import { defineCommand, expectArgs, logger } from './command.js';
import { printRun } from './print-run.js';

const HELP = `Usage: tailguard merge <run folder> [--json] [--quiet]

Merges the finished tasks of a sharded run (tailguard run --world-size N --rank R) into the run
folder: edited.jsonl, synthetic.jsonl, edits.jsonl, rejects.jsonl, statistics, report and manifest,
as one run over the whole corpus writes them.

Example:
  tailguard merge runs/big`;

export const mergeCommand = defineCommand('merge', HELP, { json: { type: 'boolean' }, quiet: { type: 'boolean' } }, async (v, positionals) => {
  expectArgs('merge', positionals, 'run folder');
  return printRun(await mergeShards(positionals[0], { log: logger(v.quiet) }), v.json);
});
