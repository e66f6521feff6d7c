import { type Comparison, compareViews } from './divergence.js';
import type { CorpusStats } from './corpus-stats.js';
import { type GateConfig, type GateResult, evaluateGate } from './gate.js';
import { TOP_K, type ViewMetrics, viewMetrics } from './metrics.js';

/** Everything the audit found: the content of report.json, and what report.md/html show. */
export interface AuditReport {
  reference: string;
  views: Record<string, ViewMetrics>;
  comparisons: Record<string, Comparison>;
  gate: GateResult;
  /** A few documents token by token (GLTR style), with their edits. */
  samples?: TokenSample[];
  charts: {
    /** Per-document perplexities, per view. */
    perplexity: Record<string, number[]>;
    /** Log-spaced [rank, frequency] points of the word rank-frequency curve, per view. */
    rankFrequency: Record<string, [number, number][]>;
    /** The TOP_K most frequent bigrams with their share of all bigrams, per view. */
    topBigrams: Record<string, [string, number][]>;
    /** Hashed unigram+bigram bucket shares, largest first (ToEdit's concentration plot), per view. */
    hashedSorted: Record<string, number[]>;
  };
}

/** One document as the report shows it: each token with the gap before it, its rank and its edit. */
export interface TokenSample {
  id: string;
  pieces: { text: string; rank: number | null; p: number; selected: boolean; replacement?: string }[];
}

/** Build the report of the views, each compared with `reference`, and apply the gate. */
export function buildReport(views: Record<string, CorpusStats>, reference: string, gate: GateConfig, seed: number): AuditReport {
  const ref = views[reference];
  const comparisons: Record<string, Comparison> = {};
  for (const [name, stats] of Object.entries(views)) if (name !== reference) comparisons[name] = compareViews(ref, stats, seed);
  const map = <T>(f: (s: CorpusStats) => T) => Object.fromEntries(Object.entries(views).map(([k, s]) => [k, f(s)]));
  return {
    reference,
    views: map(viewMetrics),
    comparisons,
    gate: evaluateGate(gate, comparisons),
    charts: {
      perplexity: map((s) => s.docPerplexity.map((x) => Number(x.toPrecision(6)))),
      rankFrequency: map(rankFrequency),
      topBigrams: map((s) => s.tables[1].top(TOP_K).map(([k, c]) => [k, c / s.tables[1].total] as [string, number])),
      hashedSorted: map((s) => {
        const total = s.hashed.reduce((a, b) => a + b, 0) || 1;
        return [...s.hashed].sort((a, b) => b - a).map((c) => c / total);
      }),
    },
  };
}

function rankFrequency(s: CorpusStats): [number, number][] {
  const freqs = s.tables[0].countsDescending();
  const points: [number, number][] = [];
  for (let r = 1; r <= freqs.length; r = Math.max(r + 1, Math.round(r * 1.15))) points.push([r, freqs[r - 1]]);
  if (freqs.length > 0 && points[points.length - 1][0] !== freqs.length) points.push([freqs.length, freqs[freqs.length - 1]]);
  return points;
}
