import { htmlTable } from '../audit/html-page.js';
import { esc } from '../audit/svg.js';
import type { AggregatedCurve, AggregatedRegime } from './aggregate.js';
import type { MetricName } from './metrics.js';

const mean = (p: AggregatedCurve['points'][number], m: MetricName) => p.metrics[m]?.mean;
const fmt = (v: number | undefined, digits = 4) => (v === undefined ? '' : Number(v.toPrecision(digits)).toString());
const pct = (v: number | undefined) => (v === undefined ? '' : `${(v * 100).toFixed(2)}%`);
const pm = (p: AggregatedCurve['points'][number], m: MetricName) => (p.metrics[m] ? `${pct(p.metrics[m]!.mean)} \u00b1 ${pct(p.metrics[m]!.sd)}` : '');

/**
 * The generation at which the mean one-hot share of a curve first reaches one half, linearly
 * interpolated between generations; undefined if it never does within the run.
 */
export function halfOneHotGeneration(curve: AggregatedCurve): number | undefined {
  const pts = curve.points.map((p) => [p.x, mean(p, 'collapsed') ?? 0] as const);
  for (let i = 1; i < pts.length; i++) {
    const [x0, y0] = pts[i - 1];
    const [x1, y1] = pts[i];
    if (y1 >= 0.5 && y0 < 0.5) return x0 + ((0.5 - y0) / (y1 - y0)) * (x1 - x0);
  }
  return pts[0][1] >= 0.5 ? pts[0][0] : undefined;
}

/**
 * Seddik's formulas next to the measurement (report.html): for MLE replace, Σp² per generation
 * with the per-context one-step expectation and the g-step closed form, the vanished weight, and
 * when half of the contexts are one-hot against the chain's prediction; for MLE mix, the squared
 * drift from the first model with its one-step expectation and its limit.
 */
export function seddikSection(regimes: readonly AggregatedRegime[]): string {
  const parts: string[] = [];
  for (const curve of regimes.flatMap((r) => r.curves)) {
    const first = curve.points[0];
    if (curve.points.some((p) => p.metrics.seddikPredicted)) {
      const rows = curve.points.slice(1).map((p) => [String(p.x), fmt(mean(p, 'seddikMeasured')), fmt(mean(p, 'seddikPredicted')), pm(p, 'seddikError'), fmt(mean(p, 'seddikFromStart')), pct(mean(p, 'vanished')), pct(mean(p, 'collapsed'))]);
      const half = halfOneHotGeneration(curve);
      const n = mean(first, 'contextCountMedian');
      parts.push(`<h3>${esc(curve.label)}</h3>
${htmlTable(['generation', 'Σp² measured', 'per-context one-step form', 'relative error (± sd over seeds)', 'g-step form, n = real count', 'vanished weight', 'one-hot contexts'], rows)}
<p>Half of the contexts one-hot: generation ${half === undefined ? `&gt; ${curve.points.at(-1)!.x} (not reached)` : fmt(half, 3)} measured (among the contexts still continued); ${fmt(mean(first, 'halfOneHotChain'), 3)} in Seddik\u2019s chain run per context with n = its real count; the paper\u2019s order: between n and n\u00b2 generations with n = ${fmt(n, 3)} (median real count), i.e. ${fmt(n, 3)} to ${fmt(n === undefined ? undefined : n * n, 3)}.</p>`);
    }
    if (curve.points.some((p) => p.metrics.drift2Predicted)) {
      const rows = curve.points.slice(1).map((p) => [String(p.x), fmt(mean(p, 'drift2')), fmt(mean(p, 'drift2Predicted')), pm(p, 'drift2Error'), fmt(mean(p, 'drift2Stationary')), fmt(mean(p, 'drift')), fmt(mean(p, 'driftBound'))]);
      parts.push(`<h3>${esc(curve.label)}</h3>
${htmlTable(['generation', '‖p_g − p_1‖² measured', 'per-context one-step form', 'relative error (± sd over seeds)', 'limit of the closed form (n = ratio · N)', 'L1 drift', 'L1 bound from the limit'], rows)}`);
    }
  }
  if (parts.length === 0) return '';
  return `<section><h2>Seddik et al. per context (MLE bigrams)</h2>
<p class="note">Per context c (previous word), given the previous generation\u2019s model and the n_c followers this generation wrote: replace, E[S_g] = S_{g-1} + (1 \u2212 S_{g-1}) / n_c; mix, E‖p_g \u2212 p_1‖\u00b2 = \u03b1\u00b2 (‖p_{g-1} \u2212 p_1‖\u00b2 + (1 \u2212 S_{g-1}) / n_c) with \u03b1 = n_c / (N_c + n_c). Averaged over the real set\u2019s contexts weighted by real count (replace: those seen twice or more). A context a generation no longer continues has vanished: it is left out of both measurement and prediction, and its weight is shown.</p>
${parts.join('\n')}</section>`;
}
