import { auditCommand } from './audit.js';
import type { Command } from './command.js';
import { compareCommand } from './compare.js';
import { detectCommand } from './detect.js';
import { initCommand } from './init.js';
import { mergeCommand } from './merge.js';
import { runCommand } from './run.js';
import { showCommand } from './show.js';
import { simulateCommand } from './simulate.js';
import { editCommand, generateCommand, scoreCommand } from './stage.js';
import { statusCommand } from './status.js';
import { workerCommand } from './worker.js';

/** Every command of the CLI by name (src/cli.ts dispatches; the docs' test parses quoted command lines). */
export const COMMANDS: Record<string, Command> = {
  run: runCommand,
  score: scoreCommand,
  edit: editCommand,
  generate: generateCommand,
  merge: mergeCommand,
  status: statusCommand,
  worker: workerCommand,
  audit: auditCommand,
  simulate: simulateCommand,
  detect: detectCommand,
  compare: compareCommand,
  show: showCommand,
  init: initCommand,
};
