import { htmlPage } from '../audit/html-page.js';
import { esc, lineChart } from '../audit/svg.js';
import type { DetectReport } from './report.js';

/**
 * report.html: the Markdown report's tables and a chart of the score histograms of the human
 * reference, the synthetic calibration text and the target, self-contained like the audit page.
 */
export function detectHtml(r: DetectReport, markdown: string): string {
  const h = r.histograms;
  const centers = h.edges.slice(0, -1).map((e, i) => (e + h.edges[i + 1]) / 2);
  const series = (name: string, color: string, ys: number[]) => ({ name, color, points: centers.map((x, i): [number, number] => [x, ys[i]]) });
  const chart = lineChart([series('human reference', '#1f77b4', h.human), series('synthetic', '#d62728', h.synthetic), series('target', '#2ca02c', h.target)], {
    xLabel: `${r.detector.feature}${r.detector.direction < 0 ? ' × −1' : ''} (higher: more machine-like)`,
    yLabel: 'share of documents',
  });
  return htmlPage(
    `Tailguard detect: ${r.target}`,
    `${tables(markdown)}
<section><h2>Score histograms</h2><p class="note">${esc(`Detector score of the human reference segments, the synthetic calibration segments and the target documents (${h.edges.length - 1} bins). The mixture estimate fits the target histogram as a blend of the other two.`)}</p>${chart}</section>`,
    '',
  );
}

/** The Markdown's headings, paragraphs and pipe tables as HTML. */
function tables(md: string): string {
  const out: string[] = [];
  let table: string[][] = [];
  const flush = () => {
    if (table.length === 0) return;
    const [head, , ...rows] = table;
    out.push(`<table><tr>${head.map((c) => `<th>${inline(c)}</th>`).join('')}</tr>${rows.map((row) => `<tr>${row.map((c) => `<td>${inline(c)}</td>`).join('')}</tr>`).join('')}</table>`);
    table = [];
  };
  for (const line of md.split('\n')) {
    if (line.startsWith('|')) {
      table.push(line.slice(1, -1).split('|').map((c) => c.trim()));
      continue;
    }
    flush();
    if (line.startsWith('## ')) out.push(`<h2>${esc(line.slice(3))}</h2>`);
    else if (line.trim() !== '' && !line.startsWith('# ')) out.push(`<p>${inline(line)}</p>`);
  }
  flush();
  return out.join('\n');
}

function inline(cell: string): string {
  return esc(cell).replace(/\*\*(.+?)\*\*/g, '<b>$1</b>');
}
