import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CorpusStats } from '../audit/corpus-stats.js';
import { type AuditReport, buildReport } from '../audit/report.js';
import { reportHtml } from '../audit/report-html.js';
import { reportMarkdown } from '../audit/report-markdown.js';
import type { GateConfig } from '../audit/gate.js';
import { describeCorpus, inputPaths, readCorpus } from '../corpus/read.js';
import { spoolInputs } from '../corpus/spool.js';
import type { CorpusSpec } from '../corpus/spec.js';
import { TailguardError } from '../errors.js';
import type { PriorModel } from '../prior/types.js';
import { batches } from '../corpus/batches.js';
import { RUN_FILES, prepareRunFolder, writeFileAtomic, writeJsonAtomic } from '../run-io/run-folder.js';
import { versions } from '../run-io/versions.js';

export interface AuditCorporaOptions {
  /** Corpora by view name; the first is the reference unless `reference` names another. */
  corpora: { name: string; spec: CorpusSpec }[];
  reference?: string;
  /** Score every view with this prior (perplexity, rank buckets); without it, n-gram metrics only. */
  prior?: PriorModel;
  out: string;
  force?: boolean;
  /** Bounds per view name (a corpus read from edited.jsonl is the view `edited`); none: the report says nothing was checked. */
  gate?: GateConfig;
  ngramBudget?: number;
  batchSize?: number;
  seed?: number;
}

/**
 * Audit corpora without editing them: statistics of each, every one compared with the
 * reference, reports and mergeable statistics written to `out`, then a manifest, which marks the
 * audit finished as it does a run (an audit killed before it is simply done again). Rejected
 * records are counted per corpus and skipped (the audit reads, it does not rewrite).
 */
export async function auditCorpora(o: AuditCorporaOptions): Promise<{ report: AuditReport; rejected: Record<string, number> }> {
  const reference = o.reference ?? o.corpora[0]?.name;
  if (!o.corpora.some((c) => c.name === reference)) {
    throw new TailguardError('config', `--reference ${reference} is not one of the audited corpora (${o.corpora.map((c) => c.name).join(', ')})`);
  }
  await prepareRunFolder(o.out, { force: o.force ?? false, inputs: inputPaths(o.corpora.map((c) => c.spec)) });
  const release = await spoolInputs(o.corpora.map((c) => c.spec));
  try {
    return await auditSpooled(o, reference);
  } finally {
    await release();
  }
}

async function auditSpooled(o: AuditCorporaOptions, reference: string): Promise<{ report: AuditReport; rejected: Record<string, number> }> {
  const views: Record<string, CorpusStats> = {};
  const rejected: Record<string, number> = {};
  for (const { name, spec } of o.corpora) {
    const stats = (views[name] = new CorpusStats(o.ngramBudget));
    rejected[name] = 0;
    for await (const batch of batches(readCorpus(spec), o.batchSize ?? 16)) {
      const docs = batch.flatMap((item) => (item.ok ? [item.doc] : []));
      rejected[name] += batch.length - docs.length;
      const scores = o.prior ? await o.prior.score(docs.map((d) => o.prior!.tokenize(d.text)), { topK: 0, entropy: false }) : [];
      docs.forEach((d, i) => stats.add(d.text, scores[i]));
    }
  }
  const report = buildReport(views, reference, o.gate ?? {}, o.seed ?? 1);
  const title = `Tailguard audit: ${o.corpora.map((c) => c.name).join(', ')}`;
  const markdown = reportMarkdown(report, title);
  await writeJsonAtomic(join(o.out, RUN_FILES.report), report, true);
  await writeFileAtomic(join(o.out, RUN_FILES.reportMarkdown), markdown);
  await writeFileAtomic(join(o.out, RUN_FILES.reportHtml), reportHtml(report, title, markdown));
  for (const [name, stats] of Object.entries(views)) await writeJsonAtomic(join(o.out, `stats.${name}.json`), stats.toJSON(), true);
  const corpora = o.corpora.map((c) => ({ name: c.name, input: describeCorpus(c.spec), rejected: rejected[c.name] }));
  await writeJsonAtomic(join(o.out, RUN_FILES.manifest), { command: 'audit', corpora, reference, seed: o.seed ?? 1, prior: o.prior?.identity ?? null, versions: versions(), gate: report.gate });
  return { report, rejected };
}

/** Add up the statistics files of shards (stats.<name>.json) into the statistics of the whole, written to `out`. */
export async function mergeStatsFiles(files: readonly string[], out: string): Promise<CorpusStats> {
  if (files.length === 0) throw new TailguardError('config', 'audit merge: give the stats files to merge and --out FILE');
  const merged = new CorpusStats();
  for (const f of files) merged.merge(JSON.parse(await readFile(f, 'utf8')));
  await writeJsonAtomic(out, merged.toJSON(), true);
  return merged;
}
