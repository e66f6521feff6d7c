import { join } from 'node:path';
import { type AuditReport, buildReport } from '../audit/report.js';
import { uncheckedGate } from '../audit/gate.js';
import { reportHtml } from '../audit/report-html.js';
import { reportMarkdown } from '../audit/report-markdown.js';
import { describeCorpus } from '../corpus/read.js';
import type { Calibration } from '../edit/threshold.js';
import type { PriorIdentity } from '../prior/types.js';
import type { PipelineConfig } from './config.js';
import { RUN_FILES, writeFileAtomic, writeJsonAtomic } from '../run-io/run-folder.js';
import type { RunOutputs } from './run-outputs.js';
import { type RunSummary, summarize } from './summary.js';
import { versions } from '../run-io/versions.js';

export interface FinishContext {
  config: PipelineConfig;
  seed: number;
  limit: number | undefined;
  threshold: number;
  calibration: Calibration | null;
  prior: PriorIdentity;
  timings: Record<string, number>;
  /** When the run started (ms since the epoch), for its wall time. */
  started: number;
  /** More manifest entries (how a sharded run was split). */
  extra?: Record<string, unknown>;
}

/**
 * The end of a run, single-machine or merged from shards alike: audit report and statistics,
 * outputs moved to their final names (or quarantine/ when the gate fails), summary, and the
 * manifest last, since it alone marks the run finished. Until then a kill leaves a run that
 * finishes again from the same state (a single run's last checkpoint, a merge's task parts):
 * every file is rewritten whole, and outputs already moved are found at their final names.
 */
export async function finishRun(dir: string, outputs: RunOutputs, c: FinishContext): Promise<{ report: AuditReport | null; summary: RunSummary; manifest: Record<string, unknown> }> {
  const { config, seed, timings } = c;
  const { total } = outputs.accounting;
  let report: AuditReport | null = null;
  if (config.audit.enabled) {
    const t = Date.now();
    report = { ...buildReport(outputs.views, 'human', config.audit.gate, seed), samples: outputs.samples };
    timings.auditSeconds = (Date.now() - t) / 1000;
    // What editing did and what it left alone (protected, locked, part-word tokens), beside the audit.
    const { tokens, selected, changed, deleted, protected: prot, locked, partWords } = outputs.totals;
    const editing = config.edit.enabled ? { tokens, selected, changed, deleted, protected: prot, locked, partWords } : null;
    await writeJsonAtomic(join(dir, RUN_FILES.report), { ...report, editing }, true);
    const title = `Tailguard audit: ${config.name}`;
    const editLine = editing
      ? `\n**Editing:** ${selected} of ${tokens} tokens selected, ${changed} changed; never selected: ${prot} protected, ${locked} locked by an earlier generation, ${partWords} part of a word.\n`
      : '';
    const markdown = reportMarkdown(report, title) + editLine;
    await writeFileAtomic(join(dir, RUN_FILES.reportMarkdown), markdown);
    const summary = { prior: c.prior, selection: config.edit.selection, context: config.edit.context, threshold: c.threshold, calibration: c.calibration, counts: editing };
    await writeFileAtomic(join(dir, RUN_FILES.reportHtml), reportHtml(report, title, markdown, summary));
    for (const [name, stats] of Object.entries(outputs.views)) await writeJsonAtomic(join(dir, `stats.${name}.json`), stats.toJSON(), true);
  }
  // A failed gate keeps the data out of the final names: it lands in quarantine/ instead. An
  // unchecked gate (turned off, or the audit off) lets the data through, with a warning below.
  const gate = report?.gate ?? uncheckedGate('the audit is off ("audit": { "enabled": false })');
  await outputs.close(gate.status !== 'failed');
  timings.wallSeconds = (Date.now() - c.started) / 1000;
  timings.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);

  const summary = summarize({ ...outputs.totals, read: total.read, written: total.written, rejected: total.rejected }, { threshold: c.threshold, calibration: c.calibration, config, timings });
  if (total.read === 0) summary.warnings.push(`no records were read from ${describeCorpus(config.input)}: the input is empty`);
  else for (const [file, counts] of Object.entries(outputs.accounting.files)) if (counts.read === 0) summary.warnings.push(`${file} holds no records (it is empty or blank)`);
  if (gate.status === 'unchecked') summary.warnings.push(`gate unchecked (${gate.note}): nothing was checked, the outputs were written without a gate`);
  const manifest = {
    pipeline: config.name,
    config,
    seed,
    limit: c.limit ?? null,
    input: describeCorpus(config.input),
    versions: versions(),
    prior: c.prior,
    selection: { mode: config.edit.selection.mode, threshold: c.threshold, calibration: c.calibration },
    gate,
    counts: { read: total.read, written: total.written, rejected: total.rejected },
    rejects: total.rejects,
    inputs: outputs.accounting.files,
    summary,
    timings,
    files: outputs.files(),
    ...c.extra,
  };
  await writeJsonAtomic(join(dir, RUN_FILES.manifest), manifest);
  await outputs.removeStaging();
  return { report, summary, manifest };
}
