import type { Document, ReadItem } from '../corpus/document.js';
import { sourceOf } from '../corpus/read.js';
import { generateContinuations } from '../generate/continue.js';
import type { PriorModel, TokenScores } from '../prior/types.js';
import { rngFor } from '../random.js';
import type { PipelineConfig } from './config.js';
import { processDocument, type ProcessedDocument } from './process-document.js';
import type { ItemResult } from './run-outputs.js';

/** Score a batch together, then edit and generate each document with its own random streams. */
export async function processBatch(batch: ReadItem[], prior: PriorModel, config: PipelineConfig, seed: number, threshold: number, cache: Map<string, TokenScores>): Promise<ItemResult[]> {
  const docs: Document[] = batch.flatMap((item) => (item.ok ? [item.doc] : []));
  const processed = await processDocuments(docs, prior, config, seed, threshold, cache);
  let next = 0;
  return batch.map((item) => (item.ok ? { source: sourceOf(item, config.input), processed: processed[next++] } : { reject: item.reject }));
}

async function processDocuments(docs: Document[], prior: PriorModel, config: PipelineConfig, seed: number, threshold: number, cache: Map<string, TokenScores>): Promise<ProcessedDocument[]> {
  const tokens = docs.map((d) => prior.tokenize(d.text));
  const missing = docs.flatMap((d, i) => (cache.has(d.id) ? [] : [i]));
  // Candidates only where ToEdit may resample, unless every position's are written out.
  const candidatesAbove = config.writeScores ? undefined : threshold;
  const fresh = await prior.score(missing.map((i) => tokens[i]), { topK: config.edit.topK, entropy: config.writeScores, candidatesAbove });
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

