import type { Document } from '../corpus/document.js';
import { applyEdits } from '../edit/apply.js';
import { resampleOptions } from '../edit/config.js';
import { carryLocked, lockedMask } from '../edit/provenance.js';
import { type EditCounts, type TokenEdit, noEdits, resampleDocument } from '../edit/resample.js';
import { editDocumentsTwoSided, lookaheadOf } from '../edit/two-sided.js';
import type { Continuation } from '../generate/continue.js';
import type { PriorModel, TokenizedText, TokenScores } from '../prior/types.js';
import type { TokenSample } from '../audit/report.js';
import { rngFor } from '../random.js';
import { tokenSample } from './token-sample.js';
import type { RunContext } from './run-context.js';

/** Everything the run writes for one document. */
export interface ProcessedDocument {
  counts: EditCounts;
  edited: unknown;
  editLog: unknown;
  synthetic?: { record: unknown; generatedTokens: number; stoppedAtEnd: boolean };
  scores?: unknown;
  /** Lazily built token-by-token view for the HTML report (only a few documents ask for it). */
  sample: () => TokenSample;
  /** The texts of each view for the audit, with the prior's scores once they are computed. */
  views: Record<string, { text: string; scores?: TokenScores }>;
}

/** A document's edits and counts, decided before its records are shaped. */
export type DecidedEdits = { edits: TokenEdit[]; counts: EditCounts };

/**
 * The edits of a batch's documents: ToEdit (left context) or the two-sided draw, never a position
 * an earlier generation edited. Two-sided documents are edited side by side, so a neural prior
 * weighs their selected positions in shared batches; each draws from its own random stream.
 */
export async function decideEdits(docs: readonly { doc: Document; tokens: TokenizedText; scores: TokenScores }[], ctx: RunContext): Promise<DecidedEdits[]> {
  const { config, prior, seed, threshold } = ctx;
  const e = config.edit;
  if (!e.enabled) return docs.map(({ tokens }) => ({ edits: [], counts: noEdits(tokens.ids.length) }));
  const items = docs.map(({ doc, tokens, scores }) => ({
    text: doc.text,
    tokens,
    scores,
    options: { ...resampleOptions(e, threshold), locked: lockedMask(ctx.locks?.get(doc.id), tokens) },
    rng: rngFor(seed, 'edit', doc.id),
  }));
  if (e.context === 'two-sided') return editDocumentsTwoSided(items, prior, lookaheadOf(prior, e.lookahead));
  return items.map((it) => resampleDocument(it.text, it.tokens, it.scores, prior, it.options, it.rng));
}

/** Edit one scored document and shape its output records; id and meta pass through untouched. */
export function processDocument(doc: Document, tokens: TokenizedText, scores: TokenScores, synthetic: Continuation | undefined, ctx: RunContext, decided: DecidedEdits): ProcessedDocument {
  const { config, prior } = ctx;
  const e = config.edit;
  const { edits, counts } = decided;
  const { text, applied } = applyEdits(doc.text, edits);
  // The spans earlier generations locked, moved to this output: the next generation reads them back.
  const lockedSpans = carryLocked(ctx.locks?.get(doc.id), applied);
  return {
    counts,
    edited: { id: doc.id, text, meta: doc.meta, tailguard: counts },
    editLog: {
      id: doc.id,
      ...counts,
      edits: applied.map((a) => ({
        position: a.position, start: a.start, end: a.end, outStart: a.outStart, outEnd: a.outEnd,
        original: a.original, replacement: a.replacement, p: round(a.p), rank: a.rank, kind: a.kind, changed: a.changed,
      })),
      ...(lockedSpans.length > 0 && { lockedSpans }),
    },
    synthetic: synthetic && {
      record: { id: doc.id, text: synthetic.text, meta: doc.meta, tailguard: { promptTokens: synthetic.promptTokens, generatedTokens: synthetic.generatedTokens, stoppedAtEnd: synthetic.stoppedAtEnd } },
      generatedTokens: synthetic.generatedTokens,
      stoppedAtEnd: synthetic.stoppedAtEnd,
    },
    scores: config.writeScores ? scoreRecord(doc, tokens, scores, prior) : undefined,
    sample: () => tokenSample(doc.id, doc.text, tokens, scores, applied),
    views: {
      human: { text: doc.text, scores },
      ...(e.enabled && { edited: { text, scores: counts.changed === 0 ? scores : undefined } }),
      ...(synthetic && { synthetic: { text: synthetic.text } }),
    },
  };
}

/** Per-token scores as JSON: token text, probability, rank, entropy and top candidates. */
function scoreRecord(doc: Document, tokens: TokenizedText, scores: TokenScores, prior: PriorModel) {
  const k = scores.topK;
  return {
    id: doc.id,
    tokens: Array.from(tokens.ids, (_, i) => ({
      text: doc.text.slice(tokens.starts[i], tokens.ends[i]),
      start: tokens.starts[i],
      p: round(Math.exp(scores.logProb[i])),
      rank: scores.rank[i],
      entropy: round(scores.entropy[i]),
      top: Array.from({ length: k }, (_, j) => [prior.tokenText(scores.topIds[i * k + j]), round(Math.exp(scores.topLogProbs[i * k + j]))]),
    })),
  };
}

function round(x: number): number {
  return Number(x.toPrecision(6));
}
