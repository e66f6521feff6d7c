import type { RunResult } from '../pipeline/run.js';
import { formatAudit, formatSummary } from '../pipeline/summary.js';
import { runJson } from './run-json.js';

/** Exit code of a run whose audit gate failed (outputs quarantined). */
export const EXIT_GATE_FAILED = 6;

/**
 * A finished run's summary (as JSON with --json, see run-json.ts), on stderr when stdout carries
 * the corpus, and its exit code: 6 when the gate failed. A gate that checked nothing (turned off, or no check
 * applies) exits 0: the summary warns loudly instead.
 */
export function printRun(result: RunResult, json: boolean | undefined, toStderr = false): number {
  const print = toStderr ? console.error : console.log;
  const failed = result.report?.gate.status === 'failed';
  if (json) print(JSON.stringify(runJson(result), null, 2));
  else {
    const audit = result.report ? `\n${formatAudit(result.report)}` : '';
    const quarantined = failed ? '\n  gate FAILED: edited/synthetic outputs were written to quarantine/, not to their final names' : '';
    print(formatSummary(result.summary, result.dir) + audit + quarantined);
  }
  return failed ? EXIT_GATE_FAILED : 0;
}
