import type { MetricName } from './metrics.js';
import type { RegimeRun } from './step.js';

/** One metric at one point over the repeats: the values in seed order and their summary. */
export interface Spread {
  mean: number;
  /** Sample standard deviation (0 for one repeat). */
  sd: number;
  min: number;
  max: number;
  values: number[];
}

export interface AggregatedCurve {
  label: string;
  points: { x: number; metrics: Partial<Record<MetricName, Spread>> }[];
}

export interface AggregatedRegime {
  name: string;
  type: RegimeRun['type'];
  axis: RegimeRun['axis'];
  curves: AggregatedCurve[];
}

/** Mean and spread over repeats of the same regimes (every repeat has the same curves and points). */
export function aggregate(repeats: readonly RegimeRun[][]): AggregatedRegime[] {
  const [first] = repeats;
  return first.map((regime, r) => ({
    name: regime.name,
    type: regime.type,
    axis: regime.axis,
    curves: regime.curves.map((curve, c) => ({
      label: curve.label,
      points: curve.steps.map((step, s) => {
        const metrics: Partial<Record<MetricName, Spread>> = {};
        for (const name of Object.keys(step.metrics) as MetricName[]) metrics[name] = spread(repeats.map((rep) => rep[r].curves[c].steps[s].metrics[name]!));
        return { x: step.x, metrics };
      }),
    })),
  }));
}

export function spread(values: number[]): Spread {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, min: Math.min(...values), max: Math.max(...values), values };
}
