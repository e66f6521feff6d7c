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
/** Bounds per view name; `false` is a gate turned off on purpose. */
export type GateConfig = Record<string, GateThresholds> | false;

export interface GateCheckResult {
  view: string;
  check: GateCheckName;
  value: number | null;
  threshold: number;
  passed: boolean;
}

/**
 * 'unchecked' is its own verdict: a gate that checked nothing must never read as "passed"
 * (it used to, in green), nor fail a run the user deliberately left ungated.
 */
export type GateStatus = 'passed' | 'failed' | 'unchecked';

export interface GateResult {
  status: GateStatus;
  /** True only when at least one check ran and every check passed. */
  passed: boolean;
  checks: GateCheckResult[];
  /** Why nothing was checked (only when unchecked). */
  note?: string;
}

/**
 * Evaluate the thresholds of every view. A check whose value cannot be computed (perplexity of
 * an unscored view) fails: a gate that cannot see must not let data through.
 */
export function evaluateGate(thresholds: GateConfig, comparisons: Record<string, Comparison>): GateResult {
  if (thresholds === false) return uncheckedGate('turned off with "gate": false');
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
  if (checks.length === 0) return uncheckedGate(uncheckedReason(thresholds, Object.keys(comparisons)));
  const passed = checks.every((c) => c.passed);
  return { status: passed ? 'passed' : 'failed', passed, checks };
}

/** The verdict of a gate that checked nothing, with the reason the reports print. */
export function uncheckedGate(note: string): GateResult {
  return { status: 'unchecked', passed: false, checks: [], note };
}

function uncheckedReason(thresholds: Record<string, GateThresholds>, views: string[]): string {
  const bounded = Object.entries(thresholds).filter(([, b]) => Object.values(b).some((x) => x !== undefined)).map(([v]) => v);
  if (bounded.length === 0) return 'no checks configured';
  return `checks are configured for ${bounded.join(', ')}, and no compared view has that name (compared: ${views.join(', ') || 'none'})`;
}

/** One line for summaries and reports: the verdict, and for an unchecked gate that nothing was checked and why. */
export function gateHeadline(g: GateResult): string {
  if (g.status === 'unchecked') return `unchecked (${g.note ?? 'no checks configured'}) — nothing was checked`;
  const failed = g.checks.filter((c) => !c.passed).length;
  return g.status === 'passed' ? `passed (${g.checks.length} of ${g.checks.length} checks)` : `FAILED (${failed} of ${g.checks.length} checks)`;
}
