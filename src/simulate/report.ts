import { htmlPage } from '../audit/html-page.js';
import { distinctStyle } from '../audit/svg-legend.js';
import { esc, lineChart, type Series } from '../audit/svg.js';
import type { AggregatedCurve, AggregatedRegime } from './aggregate.js';
import { regimeName } from './config.js';
import { METRIC_LABELS, SHARE_METRICS, formatMetric } from './metric-labels.js';
import { METRICS, type MetricName } from './metrics.js';
import { fitSection, fitSeries } from './report-fits.js';
import { seddikSection } from './report-seddik.js';
import { toeditSection } from './report-toedit.js';
import type { SimulationResults } from './results.js';

/** Metrics on a log scale: they span orders of magnitude across regimes and models. */
const LOG_METRICS: ReadonlySet<MetricName> = new Set(['perplexity']);

const AXES: Record<AggregatedRegime['axis'], { title: string; note: string; xLabel: string; xLog: boolean; xPercent?: boolean }> = {
  generation: { title: 'Across generations', note: 'Recursive regimes: generation 0 is the model of the real set.', xLabel: 'generation', xLog: false },
  share: { title: 'Synthetic share (non-iterative)', note: 'One generator (the first model); a training set of the real set\u2019s size with this share of its samples.', xLabel: 'synthetic share', xLog: false, xPercent: true },
  tokens: { title: 'Fixed synthetic share at growing size', note: 'A constant share from a shifted generator as the training set grows: does more data still help?', xLabel: 'training tokens', xLog: true },
};

/**
 * The two model families get panels of their own: unsmoothed MLE models sit at perplexities
 * hundreds of times those of Kneser-Ney ones, and on one axis they flatten each other's curves.
 */
const FAMILIES = [
  { key: 'kneser-ney', title: 'Kneser-Ney' },
  { key: 'mle', title: 'MLE (unsmoothed)' },
] as const;

/**
 * report.html of a simulation: a table of the first and last point of every curve, then per axis
 * (generations, share, size) and metric one chart per model family: mean over seeds, band ± one
 * standard deviation. Self-contained like the audit report (inline SVG; a script only sorts the table).
 */
export function simulationHtml(r: SimulationResults): string {
  const familyOf = (g: AggregatedRegime, i: number) => {
    const config = r.config.regimes[i];
    // Results and config list the regimes in the same order; the name check guards that.
    if (config && regimeName(config) === g.name) return config.model.type;
    return /\/mle\d/.test(g.name) ? 'mle' : 'kneser-ney';
  };
  const sections = (Object.keys(AXES) as AggregatedRegime['axis'][]).flatMap((axis) => {
    const a = AXES[axis];
    const groups = FAMILIES.map((f) => ({ ...f, curves: r.regimes.flatMap((g, i) => (g.axis === axis && familyOf(g, i) === f.key ? g.curves : [])) })).filter((f) => f.curves.length > 0);
    if (groups.length === 0) return [];
    // A metric measured at one point only (generation 0's chain prediction) is a number, not a curve: the tables give it.
    const has = (curves: AggregatedCurve[], m: MetricName) => curves.some((c) => c.points.filter((p) => p.metrics[m]).length > 1);
    const metrics = (Object.keys(METRICS) as MetricName[]).filter((m) => groups.some((f) => has(f.curves, m)));
    const figuresOf = (m: MetricName) =>
      groups
        .filter((f) => has(f.curves, m))
        .map((f) => `<figure><figcaption><b>${esc(METRIC_LABELS[m])}</b>, ${esc(f.title)}: ${esc(METRICS[m])}</figcaption>${chart(f.curves, m, a, m === 'perplexity' ? fitSeries(f.curves, (i) => distinctStyle(i).color) : [])}</figure>`);
    // Metrics of both families: a row each, Kneser-Ney left, MLE right. Those of one family only
    // (Seddik's MLE quantities) after them, two to a row.
    const byMetric = new Map(metrics.map((m) => [m, figuresOf(m)]));
    const figures = (m: MetricName) => byMetric.get(m)!;
    const both = metrics.filter((m) => figures(m).length > 1);
    const single = metrics.filter((m) => !both.includes(m));
    const rows = [...both.map((m) => `<div class="panels">${figures(m).join('')}</div>`), single.length > 0 ? `<div class="panels">${single.flatMap(figures).join('')}</div>` : ''];
    return [`<section><h2>${esc(a.title)}</h2><p class="note">${esc(a.note)}${groups.length > 1 ? ` ${esc(groups.map((f) => f.title).join(' and '))} models in separate panels.` : ''}</p>${rows.join('')}</section>`];
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

function chart(curves: AggregatedCurve[], metric: MetricName, a: (typeof AXES)[keyof typeof AXES], extra: Series[]): string {
  const spreads = curves.flatMap((c) => c.points.flatMap((p) => (p.metrics[metric] ? [p.metrics[metric]!] : [])));
  // A quantity that cannot be negative (shares, counts, perplexity) keeps its band above zero.
  const floor = spreads.every((s) => s.mean >= 0) ? 0 : -Infinity;
  const series: Series[] = curves.flatMap((c, i) => {
    const points = c.points.filter((p) => p.metrics[metric]);
    if (points.length === 0) return [];
    return [
      {
        name: c.label,
        ...distinctStyle(i),
        points: points.map((p) => [p.x, p.metrics[metric]!.mean] as [number, number]),
        band: points.map((p) => [p.x, Math.max(floor, p.metrics[metric]!.mean - p.metrics[metric]!.sd), p.metrics[metric]!.mean + p.metrics[metric]!.sd] as [number, number, number]),
      },
    ];
  });
  return lineChart([...series, ...extra], {
    xLabel: a.xLabel,
    yLabel: METRIC_LABELS[metric],
    xLog: a.xLog,
    xInteger: a.xLabel === 'generation',
    xPercent: a.xPercent,
    yLog: LOG_METRICS.has(metric),
    yPercent: SHARE_METRICS.has(metric),
    width: 600,
    height: 320,
  });
}

/** Metrics of the summary table: first point → last point of each curve, means over seeds. */
const TABLE_METRICS: MetricName[] = ['perplexity', 'typeLoss', 'distinct2', 'topMass2', 'entropy2', 'sumSquares', 'collapsed', 'drift', 'selected', 'changed', 'threshold'];

function firstLastTable(regimes: AggregatedRegime[]): string {
  const rows = regimes.flatMap((g) =>
    g.curves.map((c) => {
      const first = c.points[0];
      const last = c.points[c.points.length - 1];
      const cells = TABLE_METRICS.map((m) => (last.metrics[m] ? `${formatMetric(m, first.metrics[m]?.mean)} \u2192 ${formatMetric(m, last.metrics[m]!.mean)}` : ''));
      return `<tr><td>${esc(c.label)}</td><td>${first.x} \u2192 ${last.x}</td>${cells.map((x) => `<td>${x}</td>`).join('')}</tr>`;
    }),
  );
  return `<h2>First \u2192 last point of every curve (means over seeds)</h2><p class="note">Shares in percent of the whole; click a header to sort by the first value.</p><table class="sortable"><tr><th>curve</th><th>x</th>${TABLE_METRICS.map((m) => `<th title="${esc(METRICS[m])}">${esc(METRIC_LABELS[m])}</th>`).join('')}</tr>${rows.join('')}</table>`;
}
