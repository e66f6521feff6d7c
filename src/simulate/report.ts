import { htmlPage } from '../audit/html-page.js';
import { esc, lineChart, type Series } from '../audit/svg.js';
import type { AggregatedCurve, AggregatedRegime } from './aggregate.js';
import { METRICS, type MetricName } from './metrics.js';
import { fitSection, fitSeries } from './report-fits.js';
import { seddikSection } from './report-seddik.js';
import { toeditSection } from './report-toedit.js';
import type { SimulationResults } from './results.js';

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#393b79', '#ad494a'];

/** Metrics on a log scale: they span orders of magnitude across regimes and models. */
const LOG_METRICS: ReadonlySet<MetricName> = new Set(['perplexity']);

const AXES: Record<AggregatedRegime['axis'], { title: string; note: string; xLabel: string; xLog: boolean }> = {
  generation: { title: 'Across generations', note: 'Recursive regimes: generation 0 is the model of the real set.', xLabel: 'generation', xLog: false },
  share: { title: 'Synthetic share (non-iterative)', note: 'One generator (the first model); a training set of the real set\u2019s size with this share of its samples.', xLabel: 'synthetic share', xLog: false },
  tokens: { title: 'Fixed synthetic share at growing size', note: 'A constant share from a shifted generator as the training set grows: does more data still help?', xLabel: 'training tokens', xLog: true },
};

/**
 * report.html of a simulation: a table of the first and last point of every curve, then one
 * chart per metric and axis (generations, share, size): mean over seeds, band ± one standard
 * deviation. Self-contained like the audit report (inline SVG, no scripts).
 */
export function simulationHtml(r: SimulationResults): string {
  const sections = (Object.keys(AXES) as AggregatedRegime['axis'][]).flatMap((axis) => {
    const curves = r.regimes.filter((g) => g.axis === axis).flatMap((g) => g.curves);
    if (curves.length === 0) return [];
    const metrics = (Object.keys(METRICS) as MetricName[]).filter((m) => curves.some((c) => c.points.some((p) => p.metrics[m])));
    const a = AXES[axis];
    const charts = metrics.map((m) => `<figure><figcaption>${esc(METRICS[m])}</figcaption>${chart(curves, m, a.xLabel, a.xLog, m === 'perplexity' ? fitSeries(curves, color) : [])}</figure>`);
    return [`<section><h2>${esc(a.title)}</h2><p class="note">${esc(a.note)}</p>${charts.join('')}</section>`];
  });
  const c = r.config;
  return htmlPage(
    `${r.name}: collapse simulation`,
    `<p>${esc(r.description ?? '')}</p>
<p>${r.seeds.length} seeds (${r.seeds.join(', ')}); real set ${c.realTokens.toLocaleString('en')} Brown train tokens per seed; ${c.generations} generations; floor ${c.floor}; ${r.wallSeconds.toFixed(0)} s on ${r.workers} worker${r.workers > 1 ? 's' : ''}. Lines: mean over seeds; bands: \u00b1 one standard deviation.</p>
${firstLastTable(r.regimes)}
${seddikSection(r.regimes)}
${fitSection(r.regimes)}
${toeditSection(r.regimes)}
${sections.join('\n')}`,
  );
}

const color = (i: number) => PALETTE[i % PALETTE.length];

function chart(curves: AggregatedCurve[], metric: MetricName, xLabel: string, xLog: boolean, extra: Series[]): string {
  const series: Series[] = curves
    .filter((c) => c.points.some((p) => p.metrics[metric]))
    .map((c, i) => {
      const points = c.points.filter((p) => p.metrics[metric]);
      return {
        name: c.label,
        color: color(i),
        points: points.map((p) => [p.x, p.metrics[metric]!.mean] as [number, number]),
        band: points.map((p) => [p.x, p.metrics[metric]!.mean - p.metrics[metric]!.sd, p.metrics[metric]!.mean + p.metrics[metric]!.sd] as [number, number, number]),
      };
    });
  return lineChart([...series, ...extra], { xLabel, yLabel: metric, xLog, yLog: LOG_METRICS.has(metric), width: 760, height: 340 });
}

/** Metrics of the summary table: first point → last point of each curve, means over seeds. */
const TABLE_METRICS: MetricName[] = ['perplexity', 'typeLoss', 'distinct2', 'topMass2', 'entropy2', 'sumSquares', 'collapsed', 'drift', 'selected', 'changed', 'threshold'];

function firstLastTable(regimes: AggregatedRegime[]): string {
  const fmt = (v: number | undefined) => (v === undefined ? '' : Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());
  const rows = regimes.flatMap((g) =>
    g.curves.map((c) => {
      const first = c.points[0];
      const last = c.points[c.points.length - 1];
      const cells = TABLE_METRICS.map((m) => (last.metrics[m] ? `${fmt(first.metrics[m]?.mean)} \u2192 ${fmt(last.metrics[m]!.mean)}` : ''));
      return `<tr><td>${esc(c.label)}</td><td>${first.x} \u2192 ${last.x}</td>${cells.map((x) => `<td>${x}</td>`).join('')}</tr>`;
    }),
  );
  return `<h2>First \u2192 last point of every curve (means over seeds)</h2><table><tr><th>curve</th><th>x</th>${TABLE_METRICS.map((m) => `<th>${m}</th>`).join('')}</tr>${rows.join('')}</table>`;
}
