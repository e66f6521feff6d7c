import { gateHeadline } from '../audit/gate.js';
import type { AuditReport } from '../audit/report.js';
import type { Calibration } from '../edit/threshold.js';
import type { PipelineConfig } from './config.js';

export interface RunSummary {
  documents: { read: number; written: number; rejected: number };
  tokens: number;
  selected: number;
  changed: number;
  deleted: number;
  selectedShare: number;
  changedShare: number;
  /** Of the selected tokens, the share that actually changed (ToEdit: a few percent at beta 1.5). */
  changedOfSelected: number;
  syntheticTokens: number;
  /** Synthetic documents whose continuation ended where the prior drew its end token (synthetic.stopAtEnd). */
  syntheticStoppedAtEnd: number;
  /** Whether the edit stage ran (not for `tailguard score` and `generate`): only then do threshold, selected and changed mean anything. */
  editing: boolean;
  threshold: number;
  selectionMode: 'absolute' | 'calibrated' | 'changed-share';
  /** Tokens never selected: in a protected span (edit.protect), locked by an earlier generation (edit.lockedFrom), part of a word (edit.wholeWords). */
  protected: number;
  locked: number;
  partWords: number;
  wallSeconds: number;
  tokensPerSecond: number;
  warnings: string[];
}

export function summarize(
  t: { read: number; written: number; rejected: number; tokens: number; selected: number; changed: number; deleted: number; syntheticTokens: number; syntheticStoppedAtEnd: number; protected: number; locked: number; partWords: number },
  ctx: { threshold: number; calibration: Calibration | null; config: PipelineConfig; timings: Record<string, number> },
): RunSummary {
  const share = (x: number, of: number) => (of > 0 ? x / of : 0);
  const warnings: string[] = [];
  const selectedShare = share(t.selected, t.tokens);
  // Advice for an absolute p only: a calibrated run selected what it could, and with no token there was nothing to select.
  if (ctx.config.edit.enabled && ctx.config.edit.selection.mode === 'absolute' && t.tokens > 0 && selectedShare < ctx.config.edit.warnBelowShare) {
    warnings.push(
      `only ${(selectedShare * 100).toFixed(2)}% of tokens were selected (P > ${ctx.threshold.toPrecision(4)}): this prior is rarely that confident. ` +
        `Use "selection": { "mode": "calibrated", "targetShare": 0.125 } to select a fixed share, or a stronger prior.`,
    );
  }
  return {
    documents: { read: t.read, written: t.written, rejected: t.rejected },
    tokens: t.tokens,
    selected: t.selected,
    changed: t.changed,
    deleted: t.deleted,
    selectedShare,
    changedShare: share(t.changed, t.tokens),
    changedOfSelected: share(t.changed - t.deleted, t.selected),
    syntheticTokens: t.syntheticTokens,
    syntheticStoppedAtEnd: t.syntheticStoppedAtEnd,
    editing: ctx.config.edit.enabled,
    threshold: ctx.threshold,
    selectionMode: ctx.config.edit.selection.mode,
    protected: t.protected,
    locked: t.locked,
    partWords: t.partWords,
    wallSeconds: ctx.timings.wallSeconds,
    tokensPerSecond: share(t.tokens, ctx.timings.processSeconds),
    warnings,
  };
}

/** The table printed at the end of a run. */
export function formatSummary(s: RunSummary, dir: string): string {
  const pct = (x: number) => `${x > 0 && x < 0.001 ? (x * 100).toPrecision(2) : (x * 100).toFixed(2)}%`;
  const rows: [string, string][] = [
    ['documents', `${s.documents.read} read, ${s.documents.written} written, ${s.documents.rejected} rejected`],
    ['tokens', String(s.tokens)],
  ];
  if (s.editing) {
    rows.push(
      ['threshold', `P > ${s.threshold.toPrecision(4)} (${s.selectionMode})`],
      ['selected', `${s.selected} (${pct(s.selectedShare)})`],
      ['changed', `${s.changed} (${pct(s.changedShare)} of tokens, ${pct(s.changedOfSelected)} of selected)`],
    );
  }
  if (s.deleted > 0) rows.push(['deleted', String(s.deleted)]);
  if (s.editing) {
    const kept = [[s.protected, 'protected'], [s.locked, 'locked by an earlier generation'], [s.partWords, 'part of a word']].filter(([n]) => Number(n) > 0);
    if (kept.length > 0) rows.push(['never selected', kept.map(([n, why]) => `${n} ${why}`).join(', ')]);
  }
  if (s.syntheticTokens > 0) rows.push(['synthetic tokens', `${s.syntheticTokens}${s.syntheticStoppedAtEnd > 0 ? ` (${s.syntheticStoppedAtEnd} documents stopped at the end token)` : ''}`]);
  rows.push(['wall time', `${s.wallSeconds.toFixed(1)}s (${Math.round(s.tokensPerSecond)} tokens/s)`], ['output', dir]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  for (const w of s.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

/** The audit lines of the summary: each view's key metrics, its drift from human, and the gate. */
export function formatAudit(r: AuditReport): string {
  const names = Object.keys(r.views);
  const cell = (x: string) => x.padStart(16);
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const lines = [`  audit${' '.repeat(27)}${names.map(cell).join('')}`];
  const row = (label: string, f: (n: string) => string) => lines.push(`  ${label.padEnd(Math.max(32, label.length + 1))}${names.map((n) => cell(f(n))).join('')}`);
  row('distinct-2', (n) => r.views[n].distinct[1].toFixed(4));
  row('top-40 bigram mass', (n) => pct(r.views[n].topMass[1]));
  row('perplexity median (5%-95%)', (n) => {
    const p = r.views[n].perplexity;
    return p ? `${p.quantiles[2].toFixed(0)} (${p.quantiles[0].toFixed(0)}-${p.quantiles[4].toFixed(0)})` : '-';
  });
  row(`JSD bigrams vs ${r.reference} (bits)`, (n) => (r.comparisons[n] ? r.comparisons[n].jsd[1].toFixed(4) : '-'));
  row(`perplexity W1 vs ${r.reference}`, (n) => (r.comparisons[n]?.perplexityW1 != null ? r.comparisons[n].perplexityW1!.toFixed(1) : '-'));
  lines.push(`  gate: ${gateHeadline(r.gate)}`);
  for (const g of r.gate.checks) {
    lines.push(`  gate ${g.passed ? 'pass' : 'FAIL'}: ${g.view} ${g.check} = ${g.value === null ? 'n/a' : g.value.toFixed(4)} (threshold ${g.threshold})`);
  }
  return lines.join('\n');
}
