import type { Comparison } from './divergence.js';

/**
 * Gate checks on one view against the human reference. Each is an upper bound on a drift:
 * divergence, lost diversity, gained concentration, or a perplexity shift.
 */
export const GATE_CHECKS = {
  maxJsd1: (c: Comparison) => c.jsd[0],
  maxJsd2: (c: Comparison) => c.jsd[1],
  maxJsd3: (c: Comparison) => c.jsd[2],
  maxJsd4: (c: Comparison) => c.jsd[3],
  maxDistinct1Drop: (c: Comparison) => -(c.deltas.distinct as number[])[0],
  maxDistinct2Drop: (c: Comparison) => -(c.deltas.distinct as number[])[1],
  maxDistinct3Drop: (c: Comparison) => -(c.deltas.distinct as number[])[2],
  maxTopMass2Rise: (c: Comparison) => (c.deltas.topMass as number[])[1],
  maxTypeLoss: (c: Comparison) => c.typeLoss,
  maxPerplexityW1: (c: Comparison) => c.perplexityW1,
  maxPerplexityKS: (c: Comparison) => c.perplexityKS,
} as const;

export type GateCheckName = keyof typeof GATE_CHECKS;
export type GateThresholds = Partial<Record<GateCheckName, number>>;

export interface GateCheckResult {
  view: string;
  check: GateCheckName;
  value: number | null;
  threshold: number;
  passed: boolean;
}

export interface GateResult {
  passed: boolean;
  checks: GateCheckResult[];
}

/**
 * Evaluate the thresholds of every view. A check whose value cannot be computed (perplexity of
 * an unscored view) fails: a gate that cannot see must not let data through.
 */
export function evaluateGate(thresholds: Record<string, GateThresholds>, comparisons: Record<string, Comparison>): GateResult {
  const checks: GateCheckResult[] = [];
  for (const [view, bounds] of Object.entries(thresholds)) {
    const comparison = comparisons[view];
    if (!comparison) continue; // the view was not produced in this run
    for (const [check, threshold] of Object.entries(bounds) as [GateCheckName, number][]) {
      if (threshold === undefined) continue;
      const value = GATE_CHECKS[check](comparison);
      checks.push({ view, check, value, threshold, passed: value !== null && value <= threshold });
    }
  }
  return { passed: checks.every((c) => c.passed), checks };
}
