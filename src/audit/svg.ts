/**
 * Minimal inline-SVG charts for the self-contained HTML pages: no library, no network, text
 * that any browser renders. Each chart is one <svg> with a viewBox, drawn at the page's width
 * by CSS (svg.chart in html-page.ts). Every axis takes its ticks from niceScale below, so all
 * charts put ticks on round values.
 */
import { esc } from './escape-html.js';
import { type MarkerShape, legend, marker } from './svg-legend.js';

export interface Series {
  name: string;
  color: string;
  points: [number, number][];
  /** Optional shaded band around the line: [x, low, high] (e.g. mean ± sd over seeds). */
  band?: [number, number, number][];
  /** Draw the line dashed (e.g. a fitted curve next to the measured one). */
  dash?: boolean;
  /** A marker at each point (and in the legend): tells series apart when colours run out. */
  marker?: MarkerShape;
}

export interface Axes {
  width?: number;
  height?: number;
  xLabel: string;
  yLabel: string;
  xLog?: boolean;
  yLog?: boolean;
  /** Ticks on whole numbers only (generations, counts). */
  xInteger?: boolean;
  /** Tick labels as percentages of a share (0.05 → 5%). */
  xPercent?: boolean;
  yPercent?: boolean;
}

export interface Scale {
  /** The domain, widened to the outermost ticks. */
  lo: number;
  hi: number;
  ticks: number[];
  log: boolean;
}

/** Round away float noise (0.1 + 0.2) so ticks print as written. */
const clean = (x: number) => Number(x.toPrecision(12));

/**
 * Ticks on round values for data in [min, max], at most maxTicks of them. Linear: steps of
 * 1, 2 or 5 × 10^k (whole numbers when `integer`). Log: 1-2-5 per decade, or every value 1-9
 * when the range is under a decade or two, or whole decades (every 2nd, 3rd... on long ranges).
 * The domain is widened to the ticks around the data, so the first and last tick sit on the frame.
 */
export function niceScale(min: number, max: number, o: { log?: boolean; integer?: boolean; maxTicks: number }): Scale {
  const maxTicks = Math.max(2, o.maxTicks);
  if (o.log) return logScale(min, max, maxTicks);
  if (!(max > min)) [min, max] = min === 0 ? [0, 1] : [min - Math.abs(min) * 0.1, max + Math.abs(max) * 0.1];
  for (let k = Math.floor(Math.log10((max - min) / maxTicks)); ; k++) {
    for (const m of [1, 2, 5]) {
      const step = m * 10 ** k;
      if (o.integer && step < 1) continue;
      const a = Math.floor(min / step + 1e-9);
      const b = Math.ceil(max / step - 1e-9);
      if (b - a + 1 <= maxTicks) return { lo: clean(a * step), hi: clean(b * step), ticks: Array.from({ length: b - a + 1 }, (_, i) => clean((a + i) * step)), log: false };
    }
  }
}

function logScale(min: number, max: number, maxTicks: number): Scale {
  if (!(max > min)) [min, max] = [min / 2, max * 2];
  const d0 = Math.floor(Math.log10(min) + 1e-9);
  const d1 = Math.ceil(Math.log10(max) - 1e-9);
  const within = (mantissas: number[], every = 1) => {
    const all: number[] = [];
    for (let d = Math.floor(d0 / every) * every; d <= d1; d += every) for (const m of mantissas) all.push(clean(m * 10 ** d));
    // Keep the ticks inside the data plus one on each side, so the domain ends on a tick.
    const first = all.findLastIndex((t) => t <= min * (1 + 1e-9));
    const last = all.findIndex((t) => t >= max * (1 - 1e-9));
    return all.slice(Math.max(0, first), last < 0 ? all.length : last + 1);
  };
  const candidates = [within([1, 2, 3, 4, 5, 6, 7, 8, 9]), within([1, 2, 5]), within([1])];
  for (let every = 2; every <= d1 - d0 + 1; every++) candidates.push(within([1], every));
  const ticks = candidates.find((t) => t.length <= maxTicks) ?? candidates[candidates.length - 1];
  return { lo: ticks[0], hi: ticks[ticks.length - 1], ticks, log: true };
}

/** A tick label: plain digits where short, k/M for thousands and millions, an exponent for tiny values. */
export function tickLabel(v: number, percent = false): string {
  if (percent) return `${clean(v * 100)}%`;
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e6) return `${clean(v / 1e6)}M`;
  if (a >= 1e4) return `${clean(v / 1e3)}k`;
  if (a >= 1e-3) return String(clean(v));
  return v.toExponential(0).replace('e-', 'e\u2212');
}

/** Map data values to pixels along [p0, p1] (p1 < p0 for a y axis drawn upwards). */
export function scaleMap(s: Scale, p0: number, p1: number): (v: number) => number {
  const t = (v: number) => (s.log ? Math.log10(v) : v);
  const [a, b] = [t(s.lo), t(s.hi)];
  return (v) => p0 + ((t(v) - a) / (b - a || 1)) * (p1 - p0);
}

/** Grid lines, tick labels and the axis title of one axis of a plot area (x at its bottom, y at its left). */
export function axisSvg(axis: 'x' | 'y', s: Scale, at: (v: number) => number, box: { l: number; t: number; r: number; b: number }, title: string, percent = false): string {
  const parts = s.ticks.map((v) => {
    const p = at(v).toFixed(1);
    return axis === 'x'
      ? `<line x1="${p}" x2="${p}" y1="${box.t}" y2="${box.b}" stroke="#e4e4e4"/><text x="${p}" y="${box.b + 16}" font-size="12" text-anchor="middle">${tickLabel(v, percent)}</text>`
      : `<line x1="${box.l}" x2="${box.r}" y1="${p}" y2="${p}" stroke="#e4e4e4"/><text x="${box.l - 6}" y="${Number(p) + 4}" font-size="12" text-anchor="end">${tickLabel(v, percent)}</text>`;
  });
  const mid = axis === 'x' ? (box.l + box.r) / 2 : (box.t + box.b) / 2;
  const name = `${esc(title)}${s.log ? ' (log scale)' : ''}`;
  parts.push(axis === 'x' ? `<text x="${mid}" y="${box.b + 34}" font-size="13" text-anchor="middle">${name}</text>` : `<text x="16" y="${mid}" font-size="13" text-anchor="middle" transform="rotate(-90 16 ${mid})">${name}</text>`);
  return parts.join('');
}

/** The opening tag every chart shares: its own coordinate system, scaled to the width CSS gives it. */
export function svgOpen(W: number, H: number): string {
  return `<svg class="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" preserveAspectRatio="xMinYMin meet" role="img" xmlns="http://www.w3.org/2000/svg">`;
}

/** Lines (or steps) of several series on shared axes, with a legend above the plot. */
export function lineChart(series: Series[], axes: Axes): string {
  const W = axes.width ?? 1120;
  const H0 = axes.height ?? 340;
  const key = legend(series.map((s) => ({ name: s.name, color: s.color, marker: s.marker, line: true, dash: s.dash })), 70, W - 16);
  const H = H0 + key.height;
  const box = { l: 70, t: key.height + 10, r: W - 16, b: H - 44 };
  const visible = ([x, y]: [number, number]) => Number.isFinite(x) && Number.isFinite(y) && (!axes.xLog || x > 0) && (!axes.yLog || y > 0);
  const bandPoints = series.flatMap((s) => (s.band ?? []).flatMap(([x, lo, hi]): [number, number][] => [[x, lo], [x, hi]]));
  const all = [...series.flatMap((s) => s.points), ...bandPoints].filter(visible);
  if (all.length === 0) return `${svgOpen(W, 60)}<text x="10" y="30" font-size="13">no data</text></svg>`;
  const xs = niceScale(Math.min(...all.map(([x]) => x)), Math.max(...all.map(([x]) => x)), { log: axes.xLog, integer: axes.xInteger, maxTicks: Math.floor((box.r - box.l) / 70) });
  const ys = niceScale(Math.min(...all.map(([, y]) => y)), Math.max(...all.map(([, y]) => y)), { log: axes.yLog, maxTicks: Math.floor((box.b - box.t) / 36) });
  const X = scaleMap(xs, box.l, box.r);
  const Y = scaleMap(ys, box.b, box.t);
  const parts = [
    svgOpen(W, H),
    `<rect x="${box.l}" y="${box.t}" width="${box.r - box.l}" height="${box.b - box.t}" fill="#fcfcfc" stroke="#bbb"/>`,
    axisSvg('x', xs, X, box, axes.xLabel, axes.xPercent),
    axisSvg('y', ys, Y, box, axes.yLabel, axes.yPercent),
  ];
  for (const s of series) {
    const band = (s.band ?? []).filter(([x, lo]) => visible([x, lo]));
    if (band.length > 0) {
      const outline = [...band.map(([x, , hi]) => [x, hi]), ...[...band].reverse().map(([x, lo]) => [x, lo])] as [number, number][];
      parts.push(`<polygon class="band" fill="${s.color}" fill-opacity="0.15" stroke="none" points="${outline.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ')}"/>`);
    }
    const pixels = thin(s.points.filter(visible).map(([x, y]) => [X(x), Y(y)] as [number, number]));
    parts.push(`<polyline class="series" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ' stroke-dasharray="6 4"' : ''} points="${pixels.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`);
    if (s.marker) for (const [x, y] of s.points.filter(visible)) parts.push(marker(s.marker, X(x), Y(y), s.color));
  }
  parts.push(key.svg, '</svg>');
  return parts.join('');
}

/**
 * Drop points that land within half a pixel of the last one kept: a 10,000-point curve needs
 * no more points than the chart has pixels, and the page stays small.
 */
function thin(points: [number, number][]): [number, number][] {
  const kept: [number, number][] = [];
  for (const [i, p] of points.entries()) {
    const last = kept[kept.length - 1];
    if (!last || i === points.length - 1 || Math.abs(p[0] - last[0]) >= 0.5 || Math.abs(p[1] - last[1]) >= 0.5) kept.push(p);
  }
  return kept;
}

export { esc };
