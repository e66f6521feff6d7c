/**
 * Markers and legends of the inline-SVG charts. Ten colours repeat among fifteen strategies, so
 * a chart with many series gives each a marker shape too: colour and shape together tell them
 * apart (distinctStyle), in the plot and in the legend alike.
 */
import { esc } from './escape-html.js';

export type MarkerShape = 'circle' | 'square' | 'triangle' | 'diamond' | 'down' | 'plus' | 'cross';

export const MARKERS: readonly MarkerShape[] = ['circle', 'square', 'triangle', 'diamond', 'down', 'plus', 'cross'];

/** Twenty colours (Tableau 20 order: each dark one with its light partner after the first ten). */
export const PALETTE = [
  '#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
  '#aec7e8', '#ff9896', '#98df8a', '#ffbb78', '#c5b0d5', '#c49c94', '#f7b6d2', '#393b79', '#dbdb8d', '#9edae5',
];

/**
 * The colour and marker of series i: colours cycle over twenty, shapes over seven, so no two of
 * the first 140 series share both (and none of the first twenty share a colour).
 */
export function distinctStyle(i: number): { color: string; marker: MarkerShape } {
  return { color: PALETTE[i % PALETTE.length], marker: MARKERS[i % MARKERS.length] };
}

/** One marker centred on (x, y). */
export function marker(shape: MarkerShape, x: number, y: number, color: string, r = 4.5): string {
  const f = (v: number) => v.toFixed(1);
  const stroke = `stroke="${color}" stroke-width="2"`;
  const poly = (pts: [number, number][]) => `<polygon class="marker" points="${pts.map(([a, b]) => `${f(x + a * r)},${f(y + b * r)}`).join(' ')}" fill="${color}" stroke="#fff" stroke-width="0.8"/>`;
  switch (shape) {
    case 'circle':
      return `<circle class="marker" cx="${f(x)}" cy="${f(y)}" r="${f(r * 0.9)}" fill="${color}" stroke="#fff" stroke-width="0.8"/>`;
    case 'square':
      return poly([[-0.85, -0.85], [0.85, -0.85], [0.85, 0.85], [-0.85, 0.85]]);
    case 'triangle':
      return poly([[0, -1.1], [1, 0.8], [-1, 0.8]]);
    case 'down':
      return poly([[0, 1.1], [1, -0.8], [-1, -0.8]]);
    case 'diamond':
      return poly([[0, -1.2], [1, 0], [0, 1.2], [-1, 0]]);
    case 'plus':
      return `<path class="marker" d="M${f(x - r)} ${f(y)}H${f(x + r)}M${f(x)} ${f(y - r)}V${f(y + r)}" ${stroke} fill="none"/>`;
    case 'cross':
      return `<path class="marker" d="M${f(x - r)} ${f(y - r)}L${f(x + r)} ${f(y + r)}M${f(x - r)} ${f(y + r)}L${f(x + r)} ${f(y - r)}" ${stroke} fill="none"/>`;
  }
}

export interface LegendItem {
  name: string;
  color: string;
  marker?: MarkerShape;
  /** Draw a line sample (line charts) rather than a filled square (bars). */
  line?: boolean;
  dash?: boolean;
}

/**
 * Every item of a legend, flowing left to right in rows between x0 and x1 from the chart's top:
 * entries never stop at the chart's edge, they wrap. Returns the SVG and the height it takes.
 */
export function legend(items: LegendItem[], x0: number, x1: number): { svg: string; height: number } {
  if (items.length === 0) return { svg: '', height: 8 };
  let x = x0;
  let row = 0;
  const parts = items.map((it) => {
    // About 6.5 px a character at 12 px, after a 30 px sample, and a gap before the next entry.
    const width = 30 + Math.ceil(6.5 * it.name.length) + 18;
    if (x > x0 && x + width > x1) [x, row] = [x0, row + 1];
    const y = 14 + 18 * row;
    const sample = it.line
      ? `<line x1="${x}" x2="${x + 24}" y1="${y - 4}" y2="${y - 4}" stroke="${it.color}" stroke-width="2"${it.dash ? ' stroke-dasharray="6 4"' : ''}/>`
      : `<rect x="${x + 4}" y="${y - 10}" width="14" height="12" fill="${it.color}"/>`;
    const svg = `<g class="legend-item">${sample}${it.marker ? marker(it.marker, x + 12, y - 4, it.color) : ''}<text x="${x + 30}" y="${y}" font-size="12">${esc(it.name)}</text></g>`;
    x += width;
    return svg;
  });
  return { svg: parts.join(''), height: 14 + 18 * (row + 1) };
}
