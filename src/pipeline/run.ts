import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CorpusStats } from '../audit/corpus-stats.js';
import { type AuditReport, type TokenSample, buildReport } from '../audit/report.js';
import { reportHtml } from '../audit/report-html.js';
import { reportMarkdown } from '../audit/report-markdown.js';
import type { Document, ReadItem, Reject } from '../corpus/document.js';
import { brownFiles } from '../corpus/brown.js';
import { JsonlWriter } from '../corpus/jsonl-writer.js';
import { describeCorpus, readCorpus } from '../corpus/read.js';
import type { EditCounts } from '../edit/resample.js';
import { TailguardError } from '../errors.js';
import { generateContinuations } from '../generate/continue.js';
import type { PriorModel, TokenScores } from '../prior/types.js';
import { rngFor } from '../random.js';
import { calibrate } from './calibrate.js';
import type { PipelineConfig } from './config.js';
import { openPrior } from './open-prior.js';
import { batches, orderedMap } from './ordered-map.js';
import { Progress } from './progress.js';
import { QUARANTINE, RUN_FILES, prepareRunFolder, writeFileAtomic, writeJsonAtomic } from './run-folder.js';
import { type RunSummary, summarize } from './summary.js';
import { processDocument, type ProcessedDocument } from './process-document.js';
import { SAMPLE_DOCS } from './token-sample.js';
import { versions } from './versions.js';

export interface RunOptions {
  /** Output folder; default `config.output.dir`, else `runs/<name>`. */
  out?: string;
  seed?: number;
  limit?: number;
  force?: boolean;
  /** Progress bar on stderr (default: when stderr is a terminal). */
  progress?: boolean;
  log?: (message: string) => void;
  /** Use this prior instead of opening the one the config names (tests, library callers). */
  prior?: PriorModel;
}

export interface RunResult {
  dir: string;
  /** The audit (null when disabled); `report.gate.passed` false means outputs are in quarantine/. */
  report: AuditReport | null;
  summary: RunSummary;
  manifest: Record<string, unknown>;
}

/**
 * Run a pipeline: read → score → edit → generate → write, streaming, in input order, with
 * bounded concurrency. Every document read is written or rejected; the manifest records the
 * counts and the run fails if they do not balance.
 */
export async function runPipeline(config: PipelineConfig, options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const seed = options.seed ?? config.seed;
  const limit = options.limit ?? config.limit;
  const dir = options.out ?? config.output.dir ?? join('runs', config.name);
  const inputs = config.input.format === 'brown' ? [] : [config.input.path];
  await prepareRunFolder(dir, { force: options.force ?? false, inputs });

  const timings: Record<string, number> = {};
  const prior = options.prior ?? (await openPrior(config.prior, log));
  timings.priorSeconds = (Date.now() - started) / 1000;

  let threshold = config.edit.selection.mode === 'absolute' ? config.edit.selection.p : NaN;
  let calibration = null;
  let cachedScores = new Map<string, TokenScores>();
  if (config.edit.enabled && config.edit.selection.mode === 'calibrated') {
    const t = Date.now();
    ({ calibration, scores: cachedScores } = await calibrate(prior, () => limitDocs(readCorpus(config.input), limit), config.edit.selection, config.batchSize, config.edit.editWhitespace, {
      topK: config.edit.topK,
      maxTokens: SCORE_CACHE_TOKENS,
      entropy: config.writeScores,
    }));
    threshold = calibration.p;
    timings.calibrationSeconds = (Date.now() - t) / 1000;
    log(`calibrated threshold p = ${threshold.toPrecision(4)}: selects ${(calibration.achievedShare * 100).toFixed(2)}% of ${calibration.tokens} tokens (target ${(calibration.targetShare * 100).toFixed(1)}%)`);
  }

  const writers = {
    edited: config.edit.enabled ? new JsonlWriter(join(dir, RUN_FILES.edited)) : null,
    edits: config.edit.enabled ? new JsonlWriter(join(dir, RUN_FILES.edits)) : null,
    synthetic: config.synthetic.enabled ? new JsonlWriter(join(dir, RUN_FILES.synthetic)) : null,
    scores: config.writeScores ? new JsonlWriter(join(dir, RUN_FILES.scores)) : null,
    rejects: new JsonlWriter(join(dir, RUN_FILES.rejects)),
  };
  const totals: EditCounts & { read: number; written: number; rejected: number; syntheticTokens: number } = {
    read: 0, written: 0, rejected: 0, tokens: 0, selected: 0, changed: 0, deleted: 0, syntheticTokens: 0,
  };
  const views: Record<string, CorpusStats> = {};
  if (config.audit.enabled) {
    for (const v of ['human', ...(config.edit.enabled ? ['edited'] : []), ...(config.synthetic.enabled ? ['synthetic'] : [])]) views[v] = new CorpusStats(config.audit.ngramBudget);
  }
  const samples: TokenSample[] = [];
  const known = config.input.format === 'brown' ? (await brownFiles(config.input.split)).length : undefined;
  const progress = new Progress('tailguard', limit ?? known, 'tokens', options.progress);
  const t0 = Date.now();
  try {
    const work = (batch: ReadItem[]) =>
      processBatch(batch, prior, config, seed, threshold, cachedScores);
    for await (const results of orderedMap(batches(limitDocs(readCorpus(config.input), limit), config.batchSize), work, config.concurrency)) {
      for (const r of results) {
        totals.read++;
        if ('reject' in r) {
          totals.rejected++;
          await writers.rejects.write(r.reject);
          continue;
        }
        totals.written++;
        totals.tokens += r.counts.tokens;
        totals.selected += r.counts.selected;
        totals.changed += r.counts.changed;
        totals.deleted += r.counts.deleted;
        await writers.edited?.write(r.edited);
        await writers.edits?.write(r.editLog);
        if (r.synthetic) {
          totals.syntheticTokens += r.synthetic.generatedTokens;
          await writers.synthetic?.write(r.synthetic.record);
        }
        await writers.scores?.write(r.scores);
        for (const [name, view] of Object.entries(r.views)) views[name]?.add(view.text, view.scores);
        if (samples.length < SAMPLE_DOCS) samples.push(r.sample());
      }
      progress.tick(results.length, results.reduce((s, r) => s + ('counts' in r ? r.counts.tokens : 0), 0));
    }
  } catch (e) {
    progress.finish();
    for (const w of Object.values(writers)) await w?.abort();
    throw e;
  }
  progress.finish();
  timings.processSeconds = (Date.now() - t0) / 1000;
  if (totals.read !== totals.written + totals.rejected) {
    throw new TailguardError('internal', `accounting does not balance: read ${totals.read} != written ${totals.written} + rejected ${totals.rejected}`);
  }
  let report: AuditReport | null = null;
  if (config.audit.enabled) {
    const t = Date.now();
    report = { ...buildReport(views, 'human', config.audit.gate, seed), samples };
    timings.auditSeconds = (Date.now() - t) / 1000;
    await writeJsonAtomic(join(dir, RUN_FILES.report), report, true);
    const title = `Tailguard audit: ${config.name}`;
    const markdown = reportMarkdown(report, title);
    await writeFileAtomic(join(dir, RUN_FILES.reportMarkdown), markdown);
    await writeFileAtomic(join(dir, RUN_FILES.reportHtml), reportHtml(report, title, markdown));
    for (const [name, stats] of Object.entries(views)) await writeJsonAtomic(join(dir, `stats.${name}.json`), stats.toJSON(), true);
  }
  // A failed gate keeps the data out of the final names: it lands in quarantine/ instead.
  const gatePassed = report?.gate.passed ?? true;
  if (!gatePassed) await mkdir(join(dir, QUARANTINE), { recursive: true });
  for (const [kind, w] of Object.entries(writers)) {
    if (!w) continue;
    const quarantined = !gatePassed && kind !== 'rejects';
    await w.close(quarantined ? join(dir, QUARANTINE, basename(w.path)) : w.path);
  }
  timings.wallSeconds = (Date.now() - started) / 1000;
  timings.peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);

  const summary = summarize(totals, { threshold, calibration, config, timings });
  const manifest = {
    pipeline: config.name,
    config,
    seed,
    limit: limit ?? null,
    input: describeCorpus(config.input),
    versions: versions(),
    prior: prior.identity,
    selection: { mode: config.edit.selection.mode, threshold, calibration },
    gate: report?.gate ?? null,
    counts: { read: totals.read, written: totals.written, rejected: totals.rejected },
    summary,
    timings,
    files: Object.fromEntries(Object.entries(writers).filter(([, w]) => w).map(([k, w]) => [k, { path: basename((w as JsonlWriter).path), records: (w as JsonlWriter).count }])),
  };
  await writeJsonAtomic(join(dir, RUN_FILES.manifest), manifest);
  if (!options.prior) await prior.dispose();
  return { dir, summary, manifest, report };
}

/** Stop after `limit` documents; rejects do not count towards the limit. */
async function* limitDocs(items: AsyncIterable<ReadItem>, limit: number | undefined): AsyncGenerator<ReadItem> {
  let docs = 0;
  for await (const item of items) {
    if (limit !== undefined && item.ok && docs >= limit) return;
    if (item.ok) docs++;
    yield item;
  }
}

/** Tokens whose calibration-pass scores are kept for the editing pass (~76 bytes each at top-8). */
const SCORE_CACHE_TOKENS = 2_000_000;

type BatchResult = { reject: Reject } | ProcessedDocument;

/** Score a batch together, then edit and generate each document with its own random streams. */
async function processBatch(batch: ReadItem[], prior: PriorModel, config: PipelineConfig, seed: number, threshold: number, cache: Map<string, TokenScores>): Promise<BatchResult[]> {
  const docs: Document[] = batch.flatMap((item) => (item.ok ? [item.doc] : []));
  const processed = await processDocuments(docs, prior, config, seed, threshold, cache);
  let next = 0;
  return batch.map((item) => (item.ok ? processed[next++] : { reject: item.reject }));
}

async function processDocuments(docs: Document[], prior: PriorModel, config: PipelineConfig, seed: number, threshold: number, cache: Map<string, TokenScores>): Promise<ProcessedDocument[]> {
  const tokens = docs.map((d) => prior.tokenize(d.text));
  const missing = docs.flatMap((d, i) => (cache.has(d.id) ? [] : [i]));
  const fresh = await prior.score(missing.map((i) => tokens[i]), { topK: config.edit.topK, entropy: config.writeScores });
  const scores = docs.map((d) => cache.get(d.id)!);
  missing.forEach((i, j) => (scores[i] = fresh[j]));
  for (const d of docs) cache.delete(d.id); // used once: free it
  const synthetic = config.synthetic.enabled
    ? await generateContinuations(prior, docs.map((d, i) => ({ text: d.text, tokens: tokens[i], rng: rngFor(seed, 'synthetic', d.id) })), config.synthetic)
    : [];
  const processed = docs.map((doc, i) => processDocument(doc, tokens[i], scores[i], synthetic[i], prior, config, seed, threshold));
  if (config.audit.enabled && config.audit.scoreViews) await scoreViews(processed, prior);
  return processed;
}

/** Score the edited and synthetic texts that are not scored yet, in one batch per view. */
async function scoreViews(processed: ProcessedDocument[], prior: PriorModel): Promise<void> {
  for (const view of ['edited', 'synthetic']) {
    const pending = processed.map((p) => p.views[view]).filter((v) => v && !v.scores);
    const scores = await prior.score(pending.map((v) => prior.tokenize(v.text)), { topK: 0, entropy: false });
    pending.forEach((v, i) => (v.scores = scores[i]));
  }
}

