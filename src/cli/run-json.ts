import type { AuditReport } from '../audit/report.js';
import type { RunResult } from '../pipeline/run.js';

/**
 * What `--json` prints after a run: the summary's counts and shares, where the outputs went, the
 * audit's key metrics per view (the figures the text summary shows, under names a script can
 * use) and the gate's verdict with every check. A script that gates on a run needs no second
 * read of report.json for these; the full metrics stay there.
 */
export function runJson(result: RunResult): Record<string, unknown> {
  return { ...result.summary, output: result.dir, audit: result.report ? auditMetrics(result.report) : null, gate: result.manifest.gate };
}

function auditMetrics(r: AuditReport) {
  const views = Object.fromEntries(
    Object.entries(r.views).map(([name, v]) => {
      const c = r.comparisons[name];
      const p = v.perplexity;
      return [
        name,
        {
          documents: v.docs,
          words: v.tokens,
          distinct2: v.distinct[1],
          top40BigramMass: v.topMass[1],
          perplexity: p ? { median: p.quantiles[2], p5: p.quantiles[0], p95: p.quantiles[4] } : null,
          // Only views other than the reference are compared with it.
          jsdBigramsBits: c ? c.jsd[1] : null,
          typeLoss: c ? c.typeLoss : null,
          perplexityW1: c ? c.perplexityW1 : null,
        },
      ];
    }),
  );
  return { reference: r.reference, views };
}
