import { htmlTable } from '../audit/html-page.js';
import { esc } from '../audit/svg.js';
import type { AggregatedRegime } from './aggregate.js';

/**
 * ToEdit's Table 15 (Zhu et al. 2025): share of tokens selected at p = 0.99 by Llama-3-8B on
 * Natural-Instructions when editing is iterated, generations 1-3 (a fixed pretrained prior).
 */
export const PAPER_SELECTED = [0.125, 0.1176, 0.1108];

const pct = (v: number | undefined) => (v === undefined ? '' : `${(v * 100).toFixed(2)}%`);

const num = (digits: number) => (v: number | undefined) => (v === undefined ? '' : v.toFixed(digits));

/**
 * The selected and changed share per generation of every toedit curve, under the paper's, with
 * the threshold each generation used and what the edits did to held-out perplexity (generation 0:
 * the model of the real set).
 */
export function toeditSection(regimes: readonly AggregatedRegime[]): string {
  const curves = regimes.filter((r) => r.type === 'toedit').flatMap((r) => r.curves);
  if (curves.length === 0) return '';
  const generations = Math.max(...curves.map((c) => c.points.length - 1));
  const header = ['curve', 'generation 0', ...Array.from({ length: generations }, (_, g) => `generation ${g + 1}`)];
  const cells = (values: (number | undefined)[], format = pct) => Array.from({ length: generations + 1 }, (_, g) => format(values[g]));
  const rows = [
    ['paper, Table 15 (selected; fixed Llama-3-8B prior, p = 0.99)', ...cells([undefined, ...PAPER_SELECTED])],
    ...curves.flatMap((c) => {
      const metric = (name: 'selected' | 'changed' | 'threshold' | 'perplexity') => c.points.map((p) => p.metrics[name]?.mean);
      return [
        [`${c.label}: selected`, ...cells(metric('selected'))],
        [`${c.label}: changed`, ...cells(metric('changed'))],
        [`${c.label}: threshold p`, ...cells(metric('threshold'), num(4))],
        [`${c.label}: held-out PPL`, ...cells(metric('perplexity'), num(1))],
      ];
    }),
  ];
  return `<section><h2>Iterated ToEdit: selected share per generation</h2>
<p class="note">${esc('Shares of all tokens, means over seeds. Variants: prior retrained on each generation\u2019s text or fixed at the real set\u2019s (cross-fitted, as the paper keeps one pretrained model); selection by a share of tokens selected (calibrated) or expected to change (changed-share), the threshold kept from generation 1 or recalibrated to the target every generation; provenance mask on or off (no-mask); ToEdit\u2019s left-context draw or the two-sided one (two-sided). The paper reports no changed share per generation.')}</p>
${htmlTable(header, rows)}</section>`;
}
