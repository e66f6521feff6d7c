#!/usr/bin/env node
import { COMMANDS } from './cli/commands.js';
import { TailguardError, type ErrorCode } from './errors.js';
import { stderrLine } from './progress.js';
import { versions } from './run-io/versions.js';

/** Exit codes, documented in the README (6, a failed gate, comes from the run commands and audit). */
const EXIT: Record<ErrorCode, number> = { internal: 1, config: 2, input: 3, model: 4, output: 5, interrupted: 130 };


const HELP = `tailguard: token-level editing (ToEdit) and synthetic-data audits for training corpora

Usage:
  tailguard run <pipeline.json> [options]   read, score, edit, generate, write a run folder
  tailguard score <file> [options]          per-token probabilities, ranks, entropy (scores.jsonl)
  tailguard edit <file> [options]           ToEdit only (edited.jsonl, edits.jsonl)
  tailguard generate <file> [options]       fully synthetic continuations only (synthetic.jsonl)
  tailguard merge <run folder>              merge the finished tasks of a sharded run into the run folder
  tailguard status <run folder>             the tasks of a sharded run: done, running, stalled, failed, pending
  tailguard worker --redis URL              run tasks of sharded runs queued with --executor bullmq
  tailguard audit <corpus...> [options]     audit corpora without editing (report.html, …)
  tailguard audit merge <stats...> --out F  merge statistics of shards into one file
  tailguard simulate <simulation.json>      model-collapse simulator: data regimes side by side on Brown
  tailguard detect <corpus> [options]       estimate the synthetic share of a corpus, calibrated on human text
  tailguard compare <comparison.json>       edit strategies side by side, with a downstream training check
  tailguard show <run folder> [--doc ID]    one document of a run with its edits, coloured like a diff
  tailguard init [FILE]                     write a starter pipeline (fields guessed from FILE), commented
  tailguard <command> --help                help for one command
  tailguard --version                       Tailguard's version

Example:
  tailguard run pipelines/toedit-ngram.json --limit 10 --out runs/try`;

/** The entry point: dispatch to the command, which parses its own flags. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    console.log(`tailguard ${versions().tailguard}`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(`tailguard: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    // A bar left by the failed step must not be drawn again under the error.
    stderrLine.hide();
    if (e instanceof TailguardError) {
      console.error(`tailguard: ${e.message}`);
      process.exit(EXIT[e.code]);
    }
    if (e instanceof Error && 'code' in e && String((e as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`tailguard: ${e.message} (see --help)`);
      process.exit(2);
    }
    console.error(e);
    process.exit(1);
  },
);
