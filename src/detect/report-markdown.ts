import { FEATURES } from './features.js';
import type { DetectReport } from './report.js';

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : 'n/a');
const interval = (e: { estimate: number; low: number; high: number }) => `${pct(e.estimate)} [${pct(e.low)}, ${pct(e.high)}]`;

/** The headline numbers of a detection: one line per estimate, then how the detector was chosen. */
export function detectSummary(r: DetectReport): string {
  const c = r.contamination;
  const d = r.detector;
  const level = `${Math.round(r.settings.level * 100)}%`;
  return [
    `  target            ${r.target}: ${c.documents} documents (${c.rejected} rejected)`,
    `  synthetic share   ${interval(c.mixture)}  (mixture estimate, ${level} bootstrap interval, at least the binomial one of ${c.documents} documents)`,
    `  adjusted share    ${interval(c.adjusted)}  (share above threshold corrected by held-out FPR/TPR)`,
    `  above threshold   ${c.flagged} documents (${pct(c.shareAboveThreshold)})`,
    `  detector          ${d.feature} ${d.direction > 0 ? '>' : '<'} ${(d.direction * d.threshold).toPrecision(4)} (chosen on ${d.calibration.human} + ${d.calibration.synthetic} calibration segments)`,
    `  held-out human    FPR ${pct(d.heldout.fpr)} of ${d.heldout.human} (95% upper bound ${pct(d.heldout.fprUpper95)}; target ${pct(d.targetFpr)})`,
    `  held-out synth.   TPR ${pct(d.heldout.tpr)} of ${d.heldout.synthetic}; AUROC ${d.features.find((f) => f.feature === d.feature)!.heldoutAuroc.toFixed(3)}`,
    ...r.warnings.map((w) => `  warning: ${w}`),
  ].join('\n');
}

/** report.md: the summary, the share estimates, the detector and every feature's AUROC. */
export function detectMarkdown(r: DetectReport): string {
  const c = r.contamination;
  const d = r.detector;
  const rows = [...d.features].sort((a, b) => b.heldoutAuroc - a.heldoutAuroc);
  return `# Tailguard detect: ${r.target}

Reference (human): ${r.reference}. Synthetic calibration text: ${r.synthetic}. Priors: ${Object.entries(r.priors).map(([role, p]) => `${role} ${p.name}`).join(', ')}.

## Estimated synthetic share

| estimator | share | interval (${Math.round(r.settings.level * 100)}%) |
|---|---|---|
| mixture of reference densities (ML) | ${pct(c.mixture.estimate)} | ${pct(c.mixture.low)} – ${pct(c.mixture.high)} |
| above threshold, FPR/TPR-corrected | ${pct(c.adjusted.estimate)} | ${pct(c.adjusted.low)} – ${pct(c.adjusted.high)} |
| above threshold, raw | ${pct(c.shareAboveThreshold)} | |

${c.documents} target documents, ${c.flagged} above the threshold, ${c.rejected} rejected records.
${r.warnings.map((w) => `\n**Warning:** ${w}\n`).join('')}
## Detector

| | calibration | held-out |
|---|---|---|
| human segments | ${d.calibration.human} | ${d.heldout.human} |
| synthetic segments | ${d.calibration.synthetic} | ${d.heldout.synthetic} |
| false-positive rate | ${pct(d.calibration.fpr)} | ${pct(d.heldout.fpr)} (≤ ${pct(d.heldout.fprUpper95)} at 95%) |
| true-positive rate | ${pct(d.calibration.tpr)} | ${pct(d.heldout.tpr)} |

Feature **${d.feature}**, synthetic when ${d.direction > 0 ? 'above' : 'below'} ${(d.direction * d.threshold).toPrecision(4)} (threshold set for ${pct(d.targetFpr)} false positives on the calibration part).

## AUROC per feature

| feature | calibration AUROC | held-out AUROC | synthetic is | what it measures |
|---|---|---|---|---|
${rows.map((f) => `| ${f.feature} | ${f.calibrationAuroc.toFixed(3)} | ${f.heldoutAuroc.toFixed(3)} | ${f.direction > 0 ? 'higher' : 'lower'} | ${FEATURES[f.feature]} |`).join('\n')}
`;
}
