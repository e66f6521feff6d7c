/**
 * Minimal inline-SVG charts for the self-contained HTML report: no library, no network, text
 * that any browser renders. Each function returns one <svg> element.
 */
export interface Series {
  name: string;
  color: string;
  points: [number, number][];
  /** Optional shaded band around the line: [x, low, high] (e.g. mean ± sd over seeds). */
  band?: [number, number, number][];
  /** Draw the line dashed (e.g. a fitted curve next to the measured one). */
  dash?: boolean;
}

export interface Axes {
  width?: number;
  height?: number;
  xLabel: string;
  yLabel: string;
  xLog?: boolean;
  yLog?: boolean;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const fmt = (x: number) => (Math.abs(x) >= 1000 || (Math.abs(x) < 0.01 && x !== 0) ? x.toExponential(0) : Number(x.toPrecision(3)).toString());

/** Lines (or steps) of several series on shared axes, with a legend. */
export function lineChart(series: Series[], axes: Axes): string {
  const W = axes.width ?? 560;
  const H = axes.height ?? 300;
  // Legend entries wrap into rows when they do not fit on one; the plot starts below them.
  const item = Math.max(130, 24 + 7 * Math.max(0, ...series.map((s) => s.name.length)));
  const perRow = Math.max(1, Math.floor((W - 68) / item));
  const m = { l: 60, r: 16, t: 28 + 16 * (Math.ceil(series.length / perRow) - 1), b: 44 };
  const bandPoints = series.flatMap((s) => (s.band ?? []).flatMap(([x, lo, hi]): [number, number][] => [[x, lo], [x, hi]]));
  const all = [...series.flatMap((s) => s.points), ...bandPoints].filter(([x, y]) => (!axes.xLog || x > 0) && (!axes.yLog || y > 0));
  if (all.length === 0) return `<svg width="${W}" height="${H}" role="img"><text x="10" y="20">no data</text></svg>`;
  const tx = (v: number) => (axes.xLog ? Math.log10(v) : v);
  const ty = (v: number) => (axes.yLog ? Math.log10(v) : v);
  const [x0, x1] = extent(all.map(([x]) => tx(x)));
  const [y0, y1] = extent(all.map(([, y]) => ty(y)));
  const X = (v: number) => m.l + ((tx(v) - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const Y = (v: number) => H - m.b - ((ty(v) - y0) / (y1 - y0 || 1)) * (H - m.t - m.b);
  const ticks = (lo: number, hi: number, log: boolean | undefined) => [0, 0.25, 0.5, 0.75, 1].map((f) => (log ? 10 ** (lo + f * (hi - lo)) : lo + f * (hi - lo)));
  const parts = [
    `<svg class="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" xmlns="http://www.w3.org/2000/svg">`,
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="#fafafa" stroke="#ccc"/>`,
    ...ticks(x0, x1, axes.xLog).map((v) => `<text x="${X(v)}" y="${H - m.b + 16}" font-size="11" text-anchor="middle">${fmt(v)}</text>`),
    ...ticks(y0, y1, axes.yLog).map((v) => `<text x="${m.l - 6}" y="${Y(v) + 4}" font-size="11" text-anchor="end">${fmt(v)}</text>`),
    `<text x="${(W + m.l) / 2}" y="${H - 6}" font-size="12" text-anchor="middle">${esc(axes.xLabel)}${axes.xLog ? ' (log)' : ''}</text>`,
    `<text x="14" y="${(H - m.b + m.t) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${(H - m.b + m.t) / 2})">${esc(axes.yLabel)}${axes.yLog ? ' (log)' : ''}</text>`,
  ];
  const visible = ([x, y]: [number, number]) => (!axes.xLog || x > 0) && (!axes.yLog || y > 0);
  series.forEach((s, i) => {
    const band = (s.band ?? []).filter(([x, lo]) => visible([x, lo]));
    if (band.length > 0) {
      const outline = [...band.map(([x, , hi]) => [x, hi]), ...band.reverse().map(([x, lo]) => [x, lo])] as [number, number][];
      parts.push(`<polygon class="band" fill="${s.color}" fill-opacity="0.15" stroke="none" points="${outline.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ')}"/>`);
    }
    const pts = s.points.filter(visible);
    parts.push(`<polyline class="series" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ' stroke-dasharray="6 4"' : ''} points="${pts.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ')}"/>`);
    const lx = m.l + 8 + (i % perRow) * item;
    const ly = 8 + 16 * Math.floor(i / perRow);
    parts.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="${s.color}"/><text x="${lx + 16}" y="${ly + 10}" font-size="12">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Grouped bars: one group per category, one bar per series. */
export function barChart(categories: string[], series: { name: string; color: string; values: number[] }[], axes: { yLabel: string; width?: number; height?: number; percent?: boolean }): string {
  const W = axes.width ?? 560;
  const H = axes.height ?? 300;
  const m = { l: 60, r: 16, t: 28, b: 44 };
  const max = Math.max(...series.flatMap((s) => s.values), 1e-12);
  const gw = (W - m.l - m.r) / categories.length;
  const bw = (gw * 0.8) / series.length;
  const Y = (v: number) => H - m.b - (v / max) * (H - m.t - m.b);
  const label = (v: number) => (axes.percent ? `${(v * 100).toFixed(0)}%` : fmt(v));
  const parts = [
    `<svg class="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" xmlns="http://www.w3.org/2000/svg">`,
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="#fafafa" stroke="#ccc"/>`,
    ...[0, 0.5, 1].map((f) => `<text x="${m.l - 6}" y="${Y(f * max) + 4}" font-size="11" text-anchor="end">${label(f * max)}</text>`),
    `<text x="14" y="${(H - m.b + m.t) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${(H - m.b + m.t) / 2})">${esc(axes.yLabel)}</text>`,
  ];
  categories.forEach((c, g) => {
    parts.push(`<text x="${m.l + g * gw + gw / 2}" y="${H - m.b + 16}" font-size="11" text-anchor="middle">${esc(c)}</text>`);
    series.forEach((s, i) => {
      const v = s.values[g] ?? 0;
      parts.push(`<rect class="bar" x="${(m.l + g * gw + gw * 0.1 + i * bw).toFixed(1)}" y="${Y(v).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${(H - m.b - Y(v)).toFixed(1)}" fill="${s.color}"><title>${esc(s.name)} ${esc(c)}: ${label(v)}</title></rect>`);
    });
  });
  series.forEach((s, i) => parts.push(`<rect x="${m.l + 8 + i * 130}" y="8" width="12" height="12" fill="${s.color}"/><text x="${m.l + 24 + i * 130}" y="18" font-size="12">${esc(s.name)}</text>`));
  parts.push('</svg>');
  return parts.join('');
}

function extent(xs: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of xs) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}

export { esc };
