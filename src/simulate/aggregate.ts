import { type CurveFit, fitCurve } from './fit.js';
import type { MetricName } from './metrics.js';
import { type Spread, spread } from './spread.js';
import type { RegimeRun } from './step.js';

export interface AggregatedCurve {
  label: string;
  points: { x: number; metrics: Partial<Record<MetricName, Spread>> }[];
  /** Curves against training tokens (four sizes or more): L(n) = a + b·n^-c fitted per seed. */
  fit?: CurveFit;
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
      ...(regime.axis === 'tokens' && curve.steps.length >= 4 ? { fit: fitCurve(repeats.map((rep) => rep[r].curves[c].steps.map((s) => [s.x, s.metrics.perplexity!] as const))) } : {}),
    })),
  }));
}
