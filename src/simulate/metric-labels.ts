import type { MetricName } from './metrics.js';

/**
 * Short names of the simulator's metrics for table headers and chart axes (METRICS holds the
 * long explanations), and which of them are shares of a whole: the pages print those as
 * percentages, as the CLI does.
 */
export const METRIC_LABELS: Record<MetricName, string> = {
  perplexity: 'held-out perplexity',
  types: 'word types',
  typeLoss: 'types lost',
  distinct2: 'distinct bigrams',
  distinct3: 'distinct trigrams',
  topMass2: 'top-k bigram mass',
  entropy1: 'word entropy (bits)',
  entropy2: 'bigram entropy (bits)',
  sumSquares: 'MLE \u03a3p\u00b2 per context',
  collapsed: 'one-hot contexts',
  drift: 'L1 drift from the first model',
  seddikMeasured: '\u03a3p\u00b2 measured (Seddik)',
  seddikPredicted: '\u03a3p\u00b2 one-step form (Seddik)',
  seddikError: 'Seddik relative error',
  seddikFromStart: '\u03a3p\u00b2 g-step form (Seddik)',
  vanished: 'vanished context weight',
  halfOneHotChain: 'half one-hot, chain (generation)',
  contextCountMedian: 'median real context count',
  drift2: '\u2016p_g \u2212 p_1\u2016\u00b2',
  drift2Predicted: '\u2016p_g \u2212 p_1\u2016\u00b2 one-step form',
  drift2Error: 'drift\u00b2 relative error',
  drift2Stationary: 'drift\u00b2 limit',
  driftBound: 'L1 drift bound',
  selected: 'selected share',
  changed: 'changed share',
  threshold: 'threshold p',
};

export const SHARE_METRICS: ReadonlySet<MetricName> = new Set(['typeLoss', 'topMass2', 'collapsed', 'vanished', 'selected', 'changed']);

/** A metric's value as the pages print it: shares as percentages, large values without decimals. */
export function formatMetric(m: MetricName, v: number | undefined): string {
  if (v === undefined) return '';
  if (SHARE_METRICS.has(m)) return `${(v * 100).toFixed(2)}%`;
  return Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString();
}
