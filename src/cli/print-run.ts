import type { RunResult } from '../pipeline/run.js';
import { formatAudit, formatSummary } from '../pipeline/summary.js';

/** Exit code of a run whose audit gate failed (outputs quarantined). */
export const EXIT_GATE_FAILED = 6;

/** A finished run's summary (as JSON with --json), on stderr when stdout carries the corpus; its exit code: 6 when the gate failed. */
export function printRun(result: RunResult, json: boolean | undefined, toStderr = false): number {
  const print = toStderr ? console.error : console.log;
  if (json) print(JSON.stringify({ ...result.summary, gate: result.report?.gate ?? null }, null, 2));
  else print(formatSummary(result.summary, result.dir) + (result.report ? `\n${formatAudit(result.report)}` : ''));
  return result.report && !result.report.gate.passed ? EXIT_GATE_FAILED : 0;
}
