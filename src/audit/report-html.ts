import type { AuditReport } from './report.js';
import { type EditSummary, editSummaryHtml, gateTableHtml } from './edit-summary-html.js';
import { htmlPage } from './html-page.js';
import { barChart } from './svg-bars.js';
import { esc, lineChart } from './svg.js';
import { TOKEN_VIEW_STYLE, tokenViewHtml } from './token-view-html.js';

/** The audit page's own rules on top of the shared look: gate verdict (green only when checks ran and passed), edit summary cards, side-by-side tables, token view. */
const EXTRA_STYLE = `.gate-passed{color:#1b5e20;font-weight:bold}.gate-failed{color:#b71c1c;font-weight:bold}.gate-unchecked{color:#e65100;font-weight:bold}
table.gate tr.fail td{background:#ffebee}table.gate td.verdict{font-weight:bold}table.gate tr.pass td.verdict{color:#1b5e20}table.gate tr.fail td.verdict{color:#b71c1c}table.gate td:nth-child(2),table.gate th:nth-child(2){text-align:left}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:8px 0}.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:200px;background:#fafafa}.card b{display:block;font-size:22px}.card span{font-size:13px;color:#444}
table.settings th{text-align:left;font-weight:normal;color:#444}table.settings td{text-align:left}
.cols{display:flex;gap:16px;flex-wrap:wrap}.cols table{flex:1}
${TOKEN_VIEW_STYLE}`;

const COLORS: Record<string, string> = { human: '#1f77b4', edited: '#2ca02c', synthetic: '#d62728' };
const color = (view: string, i: number) => COLORS[view] ?? ['#9467bd', '#8c564b', '#e377c2'][i % 3];

/**
 * report.html: one self-contained page (inline CSS and SVG, no network): what the editing did
 * and the gate's checks first, then the summary tables of report.md, the charts that show drift
 * and concentration at a glance, and the sampled documents token by token.
 */
export function reportHtml(r: AuditReport, title: string, markdownTables: string, editing?: EditSummary): string {
  const views = Object.keys(r.views);
  const tokens = r.samples && r.samples.length > 0 ? tokenViewHtml(r.samples) : null;
  const sections = [
    section('Perplexity of documents under the prior', 'Per-document perplexity of each view. In ToEdit\u2019s measurements (\u00a73) human text spreads over a wide range with a long tail and synthetic text sits in a narrow, low band.', perplexityChart(r, views)),
    section('Rank-frequency of words', 'Log-log; a steeper or shorter curve means fewer rare words (lost tails).', lineChart(views.map((v, i) => ({ name: v, color: color(v, i), points: r.charts.rankFrequency[v] })), { xLabel: 'rank', yLabel: 'frequency', xLog: true, yLog: true })),
    section('Concentration of hashed unigram+bigram features', '10,000 buckets sorted by mass: a curve that starts higher piles more mass into few features.', lineChart(views.map((v, i) => ({ name: v, color: color(v, i), points: r.charts.hashedSorted[v].map((y, j) => [j + 1, y] as [number, number]) })), { xLabel: 'bucket rank', yLabel: 'share of features', xLog: true, yLog: true })),
    r.views[views[0]].probShares
      ? section('Probability the prior gives the actual token', 'Shares of tokens in 0.1-wide bins (ToEdit Table 6).', barChart(Array.from({ length: 10 }, (_, i) => `${(i / 10).toFixed(1)}-${((i + 1) / 10).toFixed(1)}`), views.filter((v) => r.views[v].probShares).map((v, i) => ({ name: v, color: color(v, i), values: r.views[v].probShares! })), { yLabel: 'share of tokens', xLabel: 'P(actual token) under the prior', percent: true }))
      : '',
    r.views[views[0]].rankShares
      ? section('Rank of the actual token (GLTR buckets)', 'Share of tokens that are the prior\u2019s first, top-10, top-100 or a lower choice. In GLTR\u2019s studies machine text leans on the top choices.', barChart(['rank 1', 'rank 2-10', 'rank 11-100', 'rank > 100'], views.filter((v) => r.views[v].rankShares).map((v, i) => ({ name: v, color: color(v, i), values: r.views[v].rankShares! })), { yLabel: 'share of tokens', percent: true }))
      : '',
    section('Top-40 bigrams', 'Each bigram\u2019s share of all bigrams; ToEdit found synthetic text over-uses a few.', `<div class="cols">${views.map((v) => bigramTable(v, r.charts.topBigrams[v])).join('')}</div>`),
    tokens ? section('Documents token by token', 'Each token on the background of the prior\u2019s rank of it, with ToEdit\u2019s selections and changes; hover a token for its rank and probability. Pick a document below.', tokens.html) : '',
  ];
  return htmlPage(
    title,
    `<p>Reference view: <b>${esc(r.reference)}</b>.</p>
${editSummaryHtml(editing)}
${gateTableHtml(r.gate)}
<h2>Metrics per view</h2>
${markdownTablesToHtml(markdownTables)}
${sections.join('\n')}`,
    EXTRA_STYLE,
    tokens?.script ?? '',
  );
}

function section(title: string, note: string, body: string): string {
  return `<section><h2>${esc(title)}</h2><p class="note">${esc(note)}</p>${body}</section>`;
}

function perplexityChart(r: AuditReport, views: string[]): string {
  const all = views.flatMap((v) => r.charts.perplexity[v]).filter((x) => x > 0);
  if (all.length === 0) return '<p>No view was scored by the prior.</p>';
  const lo = Math.log(Math.min(...all));
  const hi = Math.log(Math.max(...all)) + 1e-9;
  const bins = 30;
  const series = views
    .filter((v) => r.charts.perplexity[v].length > 0)
    .map((v, i) => {
      const counts = new Array<number>(bins).fill(0);
      for (const x of r.charts.perplexity[v]) counts[Math.min(bins - 1, Math.floor(((Math.log(x) - lo) / (hi - lo)) * bins))]++;
      const n = r.charts.perplexity[v].length;
      const points: [number, number][] = [];
      counts.forEach((c, b) => {
        points.push([Math.exp(lo + (b / bins) * (hi - lo)), c / n], [Math.exp(lo + ((b + 1) / bins) * (hi - lo)), c / n]);
      });
      return { name: v, color: color(v, i), points };
    });
  return lineChart(series, { xLabel: 'perplexity per token', yLabel: 'share of documents', xLog: true });
}

function bigramTable(view: string, rows: [string, number][]): string {
  const max = Math.max(...rows.map(([, s]) => s), 1e-12);
  return `<table><tr><th colspan="2">${esc(view)}</th></tr>${rows
    .map(([b, s]) => `<tr><td>${esc(b)}</td><td><span style="display:inline-block;background:#90caf9;height:9px;width:${Math.round((s / max) * 60)}px"></span> ${(s * 100).toFixed(2)}%</td></tr>`)
    .join('')}</table>`;
}

/** The pipe tables of report.md as HTML tables (the page repeats the summary). */
function markdownTablesToHtml(md: string): string {
  const out: string[] = [];
  let table: string[][] = [];
  const flush = () => {
    if (table.length === 0) return;
    const [head, , ...rows] = table;
    out.push(`<table><tr>${head.map((h) => `<th>${inline(h)}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`).join('')}</table>`);
    table = [];
  };
  for (const line of md.split('\n')) {
    // The gate has its own table above (gateTableHtml), with each check in words.
    if (line.startsWith('## Gate')) break;
    if (line.startsWith('|')) table.push(line.slice(1, -1).split('|').map((c) => c.trim()));
    else {
      flush();
      if (line.startsWith('## ')) out.push(`<h2>${esc(line.slice(3))}</h2>`);
    }
  }
  flush();
  return out.join('\n');
}

function inline(cell: string): string {
  return esc(cell).replace(/\*\*(.+?)\*\*/g, '<b>$1</b>');
}
