import type { ComparisonResults, ViewResult } from './results.js';

/** A terminal table wider than this wraps in an ordinary window: the full one goes to comparison.md. */
export const TERMINAL_COLUMNS = 100;

const HEADER = ['corpus', 'selected', 'changed', 'JSD-2', 'dist-2', 'lost', 'W1', 'downstream'];

const KEY = [
  'JSD-2: bigram Jensen-Shannon divergence from the human text (bits); dist-2: distinct bigrams;',
  'lost: human word types absent; W1: perplexity Wasserstein-1 from the human text; downstream:',
  'held-out perplexity of an n-gram model trained on the corpus (mean \u00b1 sd over seeds and splits).',
];

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const fixed = (x: number | null, digits: number) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(digits));

function viewCells(v: ViewResult): string[] {
  return [fixed(v.jsd[1], 4), fixed(v.distinct[1], 3), pct(v.typeLoss), fixed(v.perplexityW1, 1), `${v.downstream.mean.toFixed(1)} \u00b1 ${v.downstream.sd.toFixed(1)}`];
}

/**
 * The comparison for the terminal: the columns that tell strategies apart (shares, bigram
 * drift, diversity, lost types, perplexity drift, the downstream check), in at most
 * TERMINAL_COLUMNS columns; a strategy name too long for what is left is cut with an ellipsis.
 * Every column, the threshold p and the other orders included, is in comparison.md.
 */
export function terminalTable(r: ComparisonResults): string {
  const rows = [
    HEADER,
    ['human (reference)', '-', '-', ...viewCells(r.human)],
    ...r.strategies.map((s) => [s.name, pct(s.selectedShare), pct(s.changedShare), ...viewCells(s)]),
    ['fully synthetic', '-', '-', ...viewCells(r.synthetic)],
  ];
  const widths = HEADER.map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const total = widths.reduce((a, w) => a + w, 0) + 2 * (widths.length - 1);
  widths[0] = Math.max(12, widths[0] - Math.max(0, total - TERMINAL_COLUMNS));
  const cut = (s: string, w: number) => (s.length <= w ? s : `${s.slice(0, w - 1)}\u2026`);
  const lines = rows.map((row) => row.map((cell, c) => (c === 0 ? cut(cell, widths[0]).padEnd(widths[0]) : cell.padStart(widths[c]))).join('  ').trimEnd());
  return [...lines, '', ...KEY].join('\n');
}
