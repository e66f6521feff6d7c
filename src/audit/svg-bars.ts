/**
 * Bar charts of the HTML pages: grouped vertical bars over a few categories (probability bins,
 * rank buckets), and horizontal bars with error bars, one labelled row per item (downstream
 * perplexity per strategy), whose labels never collide however many rows there are.
 */
import { esc } from './escape-html.js';
import { legend } from './svg-legend.js';
import { axisSvg, niceScale, scaleMap, svgOpen, tickLabel } from './svg.js';

/** Grouped bars from zero: one group per category, one bar per series. */
export function barChart(categories: string[], series: { name: string; color: string; values: number[] }[], axes: { yLabel: string; xLabel?: string; width?: number; height?: number; percent?: boolean }): string {
  const W = axes.width ?? 1120;
  const key = legend(series.map((s) => ({ name: s.name, color: s.color })), 70, W - 16);
  const H = (axes.height ?? 320) + key.height;
  const box = { l: 70, t: key.height + 10, r: W - 16, b: H - 44 };
  const ys = niceScale(0, Math.max(...series.flatMap((s) => s.values), 1e-12), { maxTicks: Math.floor((box.b - box.t) / 36) });
  const Y = scaleMap(ys, box.b, box.t);
  const gw = (box.r - box.l) / categories.length;
  const bw = (gw * 0.8) / series.length;
  const label = (v: number) => (axes.percent ? `${(v * 100).toFixed(1)}%` : tickLabel(v));
  const parts = [
    svgOpen(W, H),
    `<rect x="${box.l}" y="${box.t}" width="${box.r - box.l}" height="${box.b - box.t}" fill="#fcfcfc" stroke="#bbb"/>`,
    axisSvg('y', ys, Y, box, axes.yLabel, axes.percent),
    `<text x="${(box.l + box.r) / 2}" y="${box.b + 34}" font-size="13" text-anchor="middle">${esc(axes.xLabel ?? '')}</text>`,
  ];
  categories.forEach((c, g) => {
    parts.push(`<text x="${(box.l + g * gw + gw / 2).toFixed(1)}" y="${box.b + 16}" font-size="12" text-anchor="middle">${esc(c)}</text>`);
    series.forEach((s, i) => {
      const v = s.values[g] ?? 0;
      parts.push(`<rect class="bar" x="${(box.l + g * gw + gw * 0.1 + i * bw).toFixed(1)}" y="${Y(v).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${(box.b - Y(v)).toFixed(1)}" fill="${s.color}"><title>${esc(s.name)} ${esc(c)}: ${label(v)}</title></rect>`);
    });
  });
  parts.push(key.svg, '</svg>');
  return parts.join('');
}

export interface BarRow {
  label: string;
  value: number;
  /** Half-width of the error bar (e.g. one standard deviation); 0 draws none. */
  error: number;
  color: string;
}

/**
 * Horizontal bars from zero, one row per item with its label on the left and its value at the
 * end, and an error bar of ± `error` around each value.
 */
export function horizontalBars(rows: BarRow[], axes: { xLabel: string; width?: number; digits?: number }): string {
  const W = axes.width ?? 1120;
  const rowH = 22;
  // The label column is as wide as the longest label (about 7 px a character at 12 px).
  const l = Math.min(W / 2, 16 + 7 * Math.max(...rows.map((r) => r.label.length), 4));
  const box = { l, t: 10, r: W - 110, b: 10 + rowH * rows.length };
  const H = box.b + 44;
  const xs = niceScale(0, Math.max(...rows.map((r) => r.value + r.error), 1e-12), { maxTicks: Math.floor((box.r - box.l) / 70) });
  const X = scaleMap(xs, box.l, box.r);
  const digits = axes.digits ?? 1;
  const parts = [svgOpen(W, H), `<rect x="${box.l}" y="${box.t}" width="${box.r - box.l}" height="${box.b - box.t}" fill="#fcfcfc" stroke="#bbb"/>`, axisSvg('x', xs, X, box, axes.xLabel)];
  rows.forEach((r, i) => {
    const y = box.t + i * rowH;
    const mid = (y + rowH / 2).toFixed(1);
    const [lo, hi] = [X(Math.max(0, r.value - r.error)), X(r.value + r.error)];
    const text = r.error > 0 ? `${r.value.toFixed(digits)} \u00b1 ${r.error.toFixed(digits)}` : r.value.toFixed(digits);
    parts.push(
      `<text x="${box.l - 8}" y="${(y + rowH / 2 + 4).toFixed(1)}" font-size="12" text-anchor="end">${esc(r.label)}</text>`,
      `<rect class="hbar" x="${box.l}" y="${(y + 4).toFixed(1)}" width="${(X(r.value) - box.l).toFixed(1)}" height="${rowH - 8}" fill="${r.color}" fill-opacity="0.75"><title>${esc(r.label)}: ${text}</title></rect>`,
      r.error > 0 ? `<path class="errorbar" d="M${lo.toFixed(1)} ${mid}H${hi.toFixed(1)}M${lo.toFixed(1)} ${y + 6}V${y + rowH - 6}M${hi.toFixed(1)} ${y + 6}V${y + rowH - 6}" stroke="#222" stroke-width="1.5" fill="none"/>` : '',
      `<text x="${(Math.max(hi, X(r.value)) + 6).toFixed(1)}" y="${(y + rowH / 2 + 4).toFixed(1)}" font-size="11" fill="#333">${text}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
