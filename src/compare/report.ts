import { htmlPage, htmlTable } from '../audit/html-page.js';
import { horizontalBars } from '../audit/svg-bars.js';
import { distinctStyle } from '../audit/svg-legend.js';
import { esc, lineChart } from '../audit/svg.js';
import type { ComparisonResults, ViewResult } from './results.js';

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const num = (x: number | null, digits = 1) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(digits));

const HEADER = ['corpus', 'threshold p', 'selected', 'changed', 'JSD-1 (bits)', 'JSD-2 (bits)', 'distinct-2', 'top-40 bigram mass', 'types lost', 'prior PPL median', 'PPL W1', 'downstream PPL (mean ± sd)'];

function viewCells(v: ViewResult): string[] {
  const d = v.downstream;
  return [num(v.jsd[0], 4), num(v.jsd[1], 4), num(v.distinct[1], 3), pct(v.topMass[1]), pct(v.typeLoss), num(v.medianPerplexity), num(v.perplexityW1), `${d.mean.toFixed(2)} ± ${d.sd.toFixed(2)}`];
}

/** The comparison as rows of cells: the human reference, every strategy, the fully synthetic corpus. */
export function comparisonRows(r: ComparisonResults): string[][] {
  return [
    ['human (reference)', '-', '-', '-', ...viewCells(r.human)],
    ...r.strategies.map((s) => [s.name, Number.isNaN(s.threshold) ? 'random' : s.threshold.toPrecision(4), pct(s.selectedShare), pct(s.changedShare), ...viewCells(s)]),
    ['fully synthetic', '-', '-', '-', ...viewCells(r.synthetic)],
  ];
}

function intro(r: ComparisonResults): string {
  return `${r.documents} documents (${r.tokens} prior tokens) of ${r.input}, scored once by ${r.prior.name}; seeds ${r.seeds.join(', ')}. ` +
    'Audit columns compare the first seed\u2019s edited corpus with the human one; the downstream column trains a ' +
    `Kneser-Ney n-gram model on each corpus (two folds, ${r.splits ?? 1} fold split${(r.splits ?? 1) > 1 ? 's' : ''}) and gives its perplexity on real text it never saw, mean ± sd over seeds and splits.`;
}

export function comparisonMarkdown(r: ComparisonResults, title: string): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [`# ${title}`, '', intro(r), '', line(HEADER), line(HEADER.map(() => '---')), ...comparisonRows(r).map(line), ''].join('\n');
}

/**
 * comparison.html: the sortable table, where each strategy selects (one line per strategy, each
 * with its own colour and marker, so fifteen and more stay apart) and the downstream perplexity
 * as one labelled horizontal bar per corpus with its ± sd.
 */
export function comparisonHtml(r: ComparisonResults, title: string): string {
  const style = new Map(r.strategies.map((s, i) => [s.name, distinctStyle(i)]));
  const selecting = r.strategies.filter((s) => s.selectedByProbability.some((c) => c > 0));
  const where = lineChart(
    selecting.map((s) => {
      const total = s.selectedByProbability.reduce((a, b) => a + b, 0);
      return { name: s.name, ...style.get(s.name)!, points: s.selectedByProbability.map((c, b): [number, number] => [b / 10 + 0.05, c / total]) };
    }),
    { xLabel: 'prior probability of the original token (bin centres, 0.1-wide bins)', yLabel: 'share of selected tokens', yPercent: true, height: 380 },
  );
  const row = (label: string, v: ViewResult, color: string) => ({ label, value: v.downstream.mean, error: v.downstream.sd, color });
  const downstream = horizontalBars(
    [row('human (reference)', r.human, '#555'), ...r.strategies.map((s) => row(s.name, s, style.get(s.name)!.color)), row('fully synthetic', r.synthetic, '#222')],
    { xLabel: 'held-out perplexity of an n-gram model trained on the corpus (mean \u00b1 sd)', digits: 1 },
  );
  return htmlPage(
    title,
    `<p class="note">${esc(intro(r))}</p>
<p class="note">Click a column header to sort by it.</p>
${htmlTable(HEADER, comparisonRows(r), true)}
<h2>Where each strategy selects</h2><p class="note">Share of each strategy\u2019s selected tokens per bin of the prior\u2019s probability of the original token (first seed). ToEdit selects at the high end; the low-end ablation at the other. Strategies that select nothing are left out; strategies with the same threshold select the same tokens and draw the same line (the last drawn on top).</p>${where}
<h2>Downstream check</h2><p class="note">Perplexity on real held-out text of n-gram models trained on each corpus: lower is better. Bars start at zero; whiskers span \u00b1 one standard deviation over seeds and fold splits.</p>${downstream}`,
  );
}
