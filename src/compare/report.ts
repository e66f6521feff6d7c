import { htmlPage, htmlTable } from '../audit/html-page.js';
import { barChart, esc } from '../audit/svg.js';
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

export function comparisonHtml(r: ComparisonResults, title: string): string {
  const palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  const selecting = r.strategies.filter((s) => s.selectedByProbability.some((c) => c > 0));
  const histogram = barChart(
    Array.from({ length: 10 }, (_, i) => (i / 10).toFixed(1)),
    selecting.map((s, i) => {
      const total = s.selectedByProbability.reduce((a, b) => a + b, 0);
      return { name: s.name, color: palette[i % palette.length], values: s.selectedByProbability.map((c) => c / total) };
    }),
    { yLabel: 'share of selected tokens', percent: true, width: 1100, height: 340 },
  );
  const downstream = barChart(
    ['human', ...r.strategies.map((s) => s.name), 'synthetic'],
    [{ name: 'downstream perplexity (mean over seeds)', color: '#1f77b4', values: [r.human, ...r.strategies, r.synthetic].map((v) => v.downstream.mean) }],
    { yLabel: 'held-out perplexity', width: 1100, height: 320 },
  );
  return htmlPage(
    title,
    `<p class="note">${esc(intro(r))}</p>
${htmlTable(HEADER, comparisonRows(r))}
<h2>Where each strategy selects</h2><p class="note">Selected tokens by the prior\u2019s probability of the original token (first seed).</p>${histogram}
<h2>Downstream check</h2><p class="note">Perplexity on real held-out text of n-gram models trained on each corpus: lower is better; compare the differences with the spread in the table.</p>${downstream}`,
  );
}
