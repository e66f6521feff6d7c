import { htmlTable } from '../audit/html-page.js';
import { esc } from '../audit/svg.js';
import type { AggregatedRegime } from './aggregate.js';

/**
 * ToEdit's Table 15 (Zhu et al. 2025): share of tokens selected at p = 0.99 by Llama-3-8B on
 * Natural-Instructions when editing is iterated, generations 1-3 (a fixed pretrained prior).
 */
export const PAPER_SELECTED = [0.125, 0.1176, 0.1108];

const pct = (v: number | undefined) => (v === undefined ? '' : `${(v * 100).toFixed(2)}%`);

/** The selected (and changed) share per generation of every toedit curve, under the paper's. */
export function toeditSection(regimes: readonly AggregatedRegime[]): string {
  const curves = regimes.filter((r) => r.type === 'toedit').flatMap((r) => r.curves);
  if (curves.length === 0) return '';
  const generations = Math.max(...curves.map((c) => c.points.length - 1));
  const header = ['curve', ...Array.from({ length: generations }, (_, g) => `generation ${g + 1}`)];
  const cells = (values: (number | undefined)[]) => Array.from({ length: generations }, (_, g) => pct(values[g]));
  const rows = [
    ['paper, Table 15 (selected; fixed Llama-3-8B prior, p = 0.99)', ...cells(PAPER_SELECTED)],
    ...curves.flatMap((c) => {
      const later = c.points.slice(1);
      return [
        [`${c.label}: selected`, ...cells(later.map((p) => p.metrics.selected?.mean))],
        [`${c.label}: changed`, ...cells(later.map((p) => p.metrics.changed?.mean))],
      ];
    }),
  ];
  return `<section><h2>Iterated ToEdit: selected share per generation</h2>
<p class="note">${esc('Shares of all tokens, means over seeds. Variants: prior retrained on each generation\u2019s text or fixed at the real set\u2019s (cross-fitted, as the paper keeps one pretrained model); threshold kept from generation 1 or recalibrated to the target share; provenance mask on or off (no-mask).')}</p>
${htmlTable(header, rows)}</section>`;
}
