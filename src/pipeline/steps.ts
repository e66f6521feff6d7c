import type { Document, ReadItem } from '../corpus/document.js';
import { sourceOf } from '../corpus/read.js';
import { type Continuation, generateContinuations } from '../generate/continue.js';
import type { TokenizedText, TokenScores } from '../prior/types.js';
import { rngFor } from '../random.js';
import type { PipelineConfig } from './config.js';
import { decideEdits, type ProcessedDocument, processDocument } from './process-document.js';
import type { RunContext } from './run-context.js';
import { rankEverywhere } from './score-cache.js';
import type { ItemResult } from './run-outputs.js';

/** A document on its way through the steps of one batch; each step fills in its part. */
export interface InFlight {
  doc: Document;
  tokens: TokenizedText;
  scores?: TokenScores;
  synthetic?: Continuation;
  processed?: ProcessedDocument;
}

/**
 * The step contract (in the spirit of datatrove's pipeline steps): a named stage over a batch of
 * documents, which says from the pipeline file whether it runs and works only on the fields it
 * owns. The runner composes the wanted steps in order; reading is the source before them, and
 * writing with the audit statistics (RunOutputs) the sink after them.
 */
export interface BatchStep {
  name: string;
  /** The pipeline key this step is configured by. */
  configKey: keyof PipelineConfig;
  wanted(config: PipelineConfig): boolean;
  run(batch: InFlight[], ctx: RunContext): Promise<void> | void;
}

/** Every document's prior scores: from the calibration pass where it kept them, otherwise scored here in one call. */
const score: BatchStep = {
  name: 'score',
  configKey: 'prior',
  wanted: () => true,
  async run(batch, { config, prior, threshold, scoreCache }) {
    const missing = batch.filter((d) => !scoreCache.has(d.doc.id));
    // Candidates only where ToEdit may resample, unless every position's are written out.
    const candidatesAbove = config.writeScores ? undefined : threshold;
    const fresh = await prior.score(missing.map((d) => d.tokens), { topK: config.edit.topK, entropy: config.writeScores, rank: rankEverywhere(config), candidatesAbove });
    missing.forEach((d, j) => (d.scores = fresh[j]));
    for (const d of batch) {
      d.scores ??= scoreCache.get(d.doc.id);
      scoreCache.delete(d.doc.id); // used once: free it
    }
  },
};

/** The fully synthetic counterpart: the document's first tokens continued by the prior. */
const generate: BatchStep = {
  name: 'generate',
  configKey: 'synthetic',
  wanted: (config) => config.synthetic.enabled,
  async run(batch, { config, prior, seed }) {
    const continuations = await generateContinuations(prior, batch.map((d) => ({ text: d.doc.text, tokens: d.tokens, rng: rngFor(seed, 'synthetic', d.doc.id) })), config.synthetic);
    batch.forEach((d, i) => (d.synthetic = continuations[i]));
  },
};

/** ToEdit (or the document unchanged when editing is off), and the records the run writes. */
const edit: BatchStep = {
  name: 'edit',
  configKey: 'edit',
  wanted: () => true,
  async run(batch, ctx) {
    const decided = await decideEdits(batch.map((d) => ({ doc: d.doc, tokens: d.tokens, scores: d.scores! })), ctx);
    batch.forEach((d, j) => (d.processed = processDocument(d.doc, d.tokens, d.scores!, d.synthetic, ctx, decided[j])));
  },
};

/** The prior's scores of the edited and synthetic texts not scored yet, for the audit: one call per view. */
const scoreViews: BatchStep = {
  name: 'score-views',
  configKey: 'audit',
  wanted: (config) => config.audit.enabled && config.audit.scoreViews,
  async run(batch, { prior }) {
    for (const view of ['edited', 'synthetic']) {
      const pending = batch.map((d) => d.processed!.views[view]).filter((v) => v && !v.scores);
      const scores = await prior.score(pending.map((v) => prior.tokenize(v.text)), { topK: 0, entropy: false });
      pending.forEach((v, i) => (v.scores = scores[i]));
    }
  },
};

const STEPS: readonly BatchStep[] = [score, generate, edit, scoreViews];

/** The steps a pipeline asks for, in order. */
export function stepsFor(config: PipelineConfig): BatchStep[] {
  return STEPS.filter((s) => s.wanted(config));
}

/** Run the steps over a batch of read items; rejects pass through as they are. */
export async function processBatch(batch: ReadItem[], ctx: RunContext, steps: readonly BatchStep[]): Promise<ItemResult[]> {
  const docs: InFlight[] = batch.flatMap((item) => (item.ok ? [{ doc: item.doc, tokens: ctx.prior.tokenize(item.doc.text) }] : []));
  for (const step of steps) await step.run(docs, ctx);
  let next = 0;
  return batch.map((item) => (item.ok ? { source: sourceOf(item, ctx.config.input), processed: docs[next++].processed! } : { reject: item.reject }));
}
