import { htmlTable } from '../audit/html-page.js';
import { esc, type Series } from '../audit/svg.js';
import type { AggregatedCurve, AggregatedRegime } from './aggregate.js';
import { type CurveFit, type Interval, interval } from './fit.js';

const num = (v: number) => Number(v.toPrecision(3)).toString();
const ci = (i: Interval, f: (v: number) => number = (v) => v) => `${num(f(i.mean))} [${num(f(i.low))}, ${num(f(i.high))}]`;

/** The fitted perplexity at n tokens: each seed's fit, averaged over seeds (as the measured line is). */
export function fittedPerplexity(fit: CurveFit, n: number): number {
  return fit.perSeed.reduce((s, f) => s + Math.exp(f.a + f.b * n ** -f.c), 0) / fit.perSeed.length;
}

/** Perplexity of a curve against the share-0 curve at one size (index; -1: the largest), per seed, as a change with its interval. */
function ratio(c: AggregatedCurve, real: AggregatedCurve, at: number): string {
  const values = (k: AggregatedCurve) => k.points.at(at)!.metrics.perplexity!.values;
  const ours = values(c);
  const i = interval(values(real).map((v, k) => ours[k] / v - 1));
  const signed = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)}%`;
  return `${signed(i.mean)} [${signed(i.low)}, ${signed(i.high)}]`;
}

/**
 * A parameter's difference from the share-0 curve's, seed by seed: the curves of one seed share
 * their real data, so the paired difference is far tighter than the two intervals side by side.
 */
function paired(f: CurveFit, real: CurveFit, k: 'a' | 'c'): string {
  return ci(interval(f.perSeed.map((p, i) => p[k] - real.perSeed[i][k])));
}

/** Dashed fitted curves, one per fitted curve, over the measured sizes (log-spaced points). */
export function fitSeries(curves: readonly AggregatedCurve[], colorOf: (i: number) => string): Series[] {
  return curves.flatMap((c, i) => {
    if (!c.fit) return [];
    const xs = c.points.map((p) => p.x);
    const [lo, hi] = [Math.log(Math.min(...xs)), Math.log(Math.max(...xs))];
    const points = Array.from({ length: 40 }, (_, k) => Math.exp(lo + ((hi - lo) * k) / 39)).map((n) => [n, fittedPerplexity(c.fit!, n)] as [number, number]);
    return [{ name: `${c.label} fit`, color: colorOf(i), points, dash: true }];
  });
}

/**
 * The scaling-law table of report.html: per curve against training tokens, L(n) = a + b·n^-c
 * with L = ln(held-out perplexity), fitted per seed; 95% intervals of the mean over seeds. e^a is
 * the perplexity the curve tends to with unlimited data of that mixture: Dohmatob et al. predict
 * that it rises with the synthetic share (a floor under the loss), not only the approach.
 */
export function fitSection(regimes: readonly AggregatedRegime[]): string {
  const rows = regimes.flatMap((r) => {
    // The regime's curve without synthetic data, if it has one: the ratio to it is the cost of the share.
    const real = r.curves.find((c) => c.label.endsWith('/p=0'));
    return r.curves
      .filter((c) => c.fit)
      .map((c) => {
        const f = c.fit!;
        const against = real && c !== real;
        return [c.label, ci(f.a), ci(f.a, Math.exp), ci(f.b), ci(f.c), num(f.rmse.mean), against ? paired(f, real.fit!, 'a') : '', against ? paired(f, real.fit!, 'c') : '', against ? `${ratio(c, real, 0)} \u2192 ${ratio(c, real, -1)}` : '', String(f.perSeed.length)];
      });
  });
  if (rows.length === 0) return '';
  return `<section><h2>Scaling law per synthetic share: L(n) = a + b\u00b7n<sup>\u2212c</sup></h2>
<p class="note">${esc('L = ln(held-out perplexity), nats per scored word; n = training tokens. Fitted per seed (least squares, exact in a and b for each c); mean over seeds with a 95% Student-t interval of the mean. The paired columns say whether the asymptote or the exponent moves with the share; the last one is the measured cost of the share. Dashed lines in the perplexity chart below are the fits.')}</p>
${htmlTable(['curve', 'a (asymptotic loss)', 'e^a (asymptotic perplexity)', 'b', 'c (exponent)', 'rmse', 'a \u2212 a at share 0 (paired by seed)', 'c \u2212 c at share 0 (paired by seed)', 'perplexity against share 0, smallest \u2192 largest size', 'seeds'], rows)}</section>`;
}
