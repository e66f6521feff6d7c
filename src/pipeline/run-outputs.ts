import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CorpusStats } from '../audit/corpus-stats.js';
import type { TokenSample } from '../audit/report.js';
import type { Reject } from '../corpus/document.js';
import { openRecordWriter, type RecordWriter } from '../corpus/corpus-writer.js';
import type { OutputLayout } from '../corpus/output-format.js';
import { noEdits } from '../edit/resample.js';
import { Accounting } from './accounting.js';
import type { Checkpoint } from './checkpoint.js';
import type { PipelineConfig } from './config.js';
import type { ProcessedDocument } from './process-document.js';
import { faultPoint } from '../run-io/fault-point.js';
import { QUARANTINE, RUN_FILES } from '../run-io/run-folder.js';
import { SAMPLE_DOCS } from './token-sample.js';

/** One input record after processing: a document to write (with the file it came from), or a reject. */
export type ItemResult = { reject: Reject } | { source: string; processed: ProcessedDocument };

export type Totals = Checkpoint['totals'];

/** Counts, statistics and samples of the outputs, with their files' lengths: a checkpoint's part, or a finished shard's. */
export type OutputsState = Pick<Checkpoint, 'accounting' | 'totals' | 'files' | 'views' | 'samples'>;

const KINDS = ['edited', 'edits', 'synthetic', 'scores', 'rejects'] as const;
type Kind = (typeof KINDS)[number];

/**
 * What a run has produced so far: its output files, counts, audit statistics and report samples.
 * All of it goes into a checkpoint and comes back from one, so a resumed run carries on exactly.
 */
export class RunOutputs {
  readonly writers: Partial<Record<Kind, RecordWriter>> = {};
  readonly accounting: Accounting;
  readonly totals: Totals;
  readonly views: Record<string, CorpusStats> = {};
  readonly samples: TokenSample[];

  constructor(
    private readonly dir: string,
    config: PipelineConfig,
    from: Checkpoint | null,
  ) {
    const wanted: Record<Kind, boolean> = { edited: config.edit.enabled, edits: config.edit.enabled, synthetic: config.synthetic.enabled, scores: config.writeScores, rejects: true };
    for (const kind of KINDS) {
      if (!wanted[kind]) continue;
      const path = join(dir, RUN_FILES[kind]);
      // The corpora take the pipeline's output format; the logs (edits, scores, rejects) stay JSONL.
      const layout: OutputLayout = kind === 'edited' || kind === 'synthetic' ? config.output : { format: 'jsonl', rowGroupRecords: config.output.rowGroupRecords };
      this.writers[kind] = openRecordWriter(path, layout, from?.files[kind], [join(dir, QUARANTINE, RUN_FILES[kind])]);
    }
    this.accounting = new Accounting(from?.accounting);
    // A checkpoint of an older version lacks the newer counts: they start at 0.
    this.totals = { ...noEdits(0), syntheticTokens: 0, syntheticStoppedAtEnd: 0, ...from?.totals };
    if (config.audit.enabled) {
      for (const v of ['human', ...(config.edit.enabled ? ['edited'] : []), ...(config.synthetic.enabled ? ['synthetic'] : [])]) {
        this.views[v] = from ? CorpusStats.fromJSON(from.views[v], config.audit.ngramBudget) : new CorpusStats(config.audit.ngramBudget);
      }
    }
    this.samples = from ? [...from.samples] : [];
  }

  /** Write one record's outputs and count it. */
  async add(r: ItemResult): Promise<void> {
    if ('reject' in r) {
      this.accounting.rejected(r.reject.file, r.reject.kind);
      await this.writers.rejects!.write(r.reject);
      return;
    }
    const p = r.processed;
    this.accounting.written(r.source);
    for (const key of Object.keys(p.counts) as (keyof typeof p.counts)[]) this.totals[key] += p.counts[key];
    await this.writers.edited?.write(p.edited);
    await this.writers.edits?.write(p.editLog);
    if (p.synthetic) {
      this.totals.syntheticTokens += p.synthetic.generatedTokens;
      if (p.synthetic.stoppedAtEnd) this.totals.syntheticStoppedAtEnd++;
      await this.writers.synthetic?.write(p.synthetic.record);
    }
    await this.writers.scores?.write(p.scores);
    for (const [name, view] of Object.entries(p.views)) this.views[name]?.add(view.text, view.scores);
    if (this.samples.length < SAMPLE_DOCS) this.samples.push(p.sample());
  }

  /** Write a record to one output file as it is (a record of a shard's part, when merging). */
  async copy(kind: string, record: unknown): Promise<void> {
    await this.writers[kind as Kind]!.write(record);
  }

  /**
   * Count a finished shard in: its accounting, totals, audit statistics and samples. Shards taken
   * in corpus order give what one run over the whole corpus counts, n-gram tables included (in
   * first-seen order), as long as the tables stay within their budget.
   */
  absorb(part: OutputsState, budget: number): void {
    this.accounting.merge(part.accounting);
    for (const key of Object.keys(this.totals) as (keyof Totals)[]) this.totals[key] += part.totals[key] ?? 0;
    for (const [name, stats] of Object.entries(this.views)) {
      // Into nothing yet (the first part), merging is copying: take the part's tables as they are.
      if (stats.docs === 0 && stats.tokens === 0) this.views[name] = CorpusStats.fromJSON(part.views[name], budget);
      else stats.merge(part.views[name]);
    }
    for (const sample of part.samples) if (this.samples.length < SAMPLE_DOCS) this.samples.push(sample);
  }

  /** Flush every file to disk and describe the state, for a checkpoint. */
  async state(): Promise<OutputsState> {
    const files: Checkpoint['files'] = {};
    for (const [kind, w] of Object.entries(this.writers)) files[kind] = await w.flush();
    return {
      accounting: { total: this.accounting.total, files: this.accounting.files },
      totals: { ...this.totals },
      files,
      views: Object.fromEntries(Object.entries(this.views).map(([k, s]) => [k, s.toJSON()])),
      samples: this.samples,
    };
  }

  /** Throw unless every count balances, per input file, per run and in every output file. */
  check(): void {
    const written = (['edited', 'edits', 'synthetic', 'scores'] as const).flatMap((k) => (this.writers[k] ? [this.writers[k]!.count] : []));
    this.accounting.check({ written, rejected: this.writers.rejects!.count });
  }

  /**
   * Move the files to their final names; a failed gate keeps the data files in quarantine/.
   * Staging files of converted layouts stay until `removeStaging`: until the run is marked
   * finished, a resume finds every file again (moved back from its final name, or staged).
   */
  async close(gateLetsThrough: boolean): Promise<void> {
    if (!gateLetsThrough) await mkdir(join(this.dir, QUARANTINE), { recursive: true });
    for (const [kind, w] of Object.entries(this.writers)) {
      const quarantined = !gateLetsThrough && kind !== 'rejects';
      await w.close(quarantined ? join(this.dir, QUARANTINE, basename(w.path)) : w.path, true);
      await faultPoint(`close:${basename(w.path)}`);
    }
  }

  /** Remove the staging files `close` kept, once the run is marked finished. */
  async removeStaging(): Promise<void> {
    for (const w of Object.values(this.writers)) await w.removeStaging();
  }

  /** Stop writing but keep the partial files, for a resumed run. */
  async end(): Promise<void> {
    for (const w of Object.values(this.writers)) await w.end().catch(() => {});
  }

  /**
   * Stop writing at once, leaving the files as they are and dropping what is not yet written:
   * another process may own them by now (a task whose job lock was lost, see shards/task.ts).
   */
  abandon(): void {
    for (const w of Object.values(this.writers)) w.abandon();
  }

  /** Stop writing and remove the partial files. */
  async abort(): Promise<void> {
    for (const w of Object.values(this.writers)) await w.abort();
  }

  /** Output files and their record counts, for the manifest. */
  files(): Record<string, { path: string; records: number; files?: string[] }> {
    return Object.fromEntries(
      Object.entries(this.writers).map(([k, w]) => {
        const files = w.outputs();
        // A single JSONL file keeps the manifest entry it always had; other layouts list their files.
        return [k, files.length === 1 && files[0] === basename(w.path) ? { path: files[0], records: w.count } : { path: files[0], records: w.count, files }];
      }),
    );
  }
}
