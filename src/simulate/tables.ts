import type { AggregatedRegime } from './aggregate.js';
import { METRICS, type MetricName } from './metrics.js';
import type { RepeatResult } from './repeat.js';

/** The files a simulation writes; results.json is written last and marks the folder finished. */
export const SIM_FILES = { results: 'results.json', csv: 'results.csv', summary: 'summary.csv', html: 'report.html' } as const;

const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

const cell = (v: string | number | undefined) => (v === undefined ? '' : typeof v === 'number' ? String(v) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const row = (cells: (string | number | undefined)[]) => cells.map(cell).join(',');

/** One row per regime, curve, point and seed, one column per metric (empty where it does not apply). */
export function resultsCsv(repeats: readonly RepeatResult[]): string {
  const lines = [row(['regime', 'curve', 'axis', 'x', 'seed', ...METRIC_NAMES])];
  for (const rep of repeats) {
    for (const regime of rep.regimes) {
      for (const curve of regime.curves) {
        for (const step of curve.steps) lines.push(row([regime.name, curve.label, regime.axis, step.x, rep.seed, ...METRIC_NAMES.map((m) => step.metrics[m])]));
      }
    }
  }
  return lines.join('\n') + '\n';
}

/** One row per regime, curve, point and metric: mean, sample standard deviation, min, max over seeds. */
export function summaryCsv(regimes: readonly AggregatedRegime[]): string {
  const lines = [row(['regime', 'curve', 'axis', 'x', 'metric', 'mean', 'sd', 'min', 'max', 'seeds'])];
  for (const regime of regimes) {
    for (const curve of regime.curves) {
      for (const point of curve.points) {
        for (const m of METRIC_NAMES) {
          const s = point.metrics[m];
          if (s) lines.push(row([regime.name, curve.label, regime.axis, point.x, m, s.mean, s.sd, s.min, s.max, s.values.length]));
        }
      }
    }
  }
  return lines.join('\n') + '\n';
}
