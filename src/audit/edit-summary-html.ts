/**
 * The top of report.html: what the run did before what it measured. The edit summary (prior,
 * threshold and how it was set, selected and changed shares, what was never selectable) and the
 * gate as a table of its checks, each with its value, bound and verdict.
 */
import { esc } from './escape-html.js';
import { type GateCheckName, type GateResult, gateHeadline } from './gate.js';

/** What report.html says about the editing of a run (finish-run.ts fills it in). */
export interface EditSummary {
  prior: { type: string; name: string; contextSize: number };
  selection: { mode: 'absolute' | 'calibrated' | 'changed-share'; p?: number; targetShare?: number };
  /** Whether the high-probability end is resampled (ToEdit) or the low end (the ablation). */
  select?: 'above' | 'below';
  context: 'left' | 'two-sided';
  threshold: number;
  calibration: { achievedShare: number; tokens: number; expectedChangedShare?: number } | null;
  /** The edit stage's counts; null when editing was off. */
  counts: { tokens: number; selected: number; changed: number; deleted: number; protected: number; locked: number; partWords: number } | null;
}

/** What each gate check bounds, in words (GATE_CHECKS in gate.ts computes it). */
const CHECK_NAMES: Record<GateCheckName, string> = {
  maxJsd1: 'Jensen-Shannon divergence of words from human (bits)',
  maxJsd2: 'Jensen-Shannon divergence of bigrams from human (bits)',
  maxJsd3: 'Jensen-Shannon divergence of trigrams from human (bits)',
  maxJsd4: 'Jensen-Shannon divergence of 4-grams from human (bits)',
  maxDistinct1Drop: 'drop of distinct-1 below human',
  maxDistinct2Drop: 'drop of distinct-2 below human',
  maxDistinct3Drop: 'drop of distinct-3 below human',
  maxTopMass2Rise: 'rise of the top-40 bigram mass over human',
  maxTypeLoss: 'share of human word types lost',
  maxPerplexityW1: 'Wasserstein-1 distance of document perplexities from human',
  maxPerplexityKS: 'Kolmogorov-Smirnov distance of document perplexities from human',
};

const pct = (x: number) => `${x > 0 && x < 0.001 ? (x * 100).toPrecision(2) : (x * 100).toFixed(2)}%`;

function thresholdLine(e: EditSummary): string {
  const side = e.select === 'below' ? 'P < p (the low-probability end)' : 'P > p';
  const p = e.threshold.toPrecision(4);
  const c = e.calibration;
  switch (e.selection.mode) {
    case 'absolute':
      return `${side} with p = ${p}, fixed in the pipeline (absolute)`;
    case 'calibrated':
      return `${side} with p = ${p}, calibrated to select ${pct(e.selection.targetShare ?? 0)} of tokens${c ? ` (achieved ${pct(c.achievedShare)} of ${c.tokens.toLocaleString('en')} calibration tokens)` : ''}`;
    case 'changed-share':
      return `${side} with p = ${p}, calibrated to change an expected ${pct(e.selection.targetShare ?? 0)} of tokens${c?.expectedChangedShare !== undefined ? ` (expected ${pct(c.expectedChangedShare)} over ${c.tokens.toLocaleString('en')} calibration tokens)` : ''}`;
  }
}

/** Headline figures as cards, then a two-column table of the settings behind them. */
export function editSummaryHtml(e: EditSummary | undefined): string {
  if (!e) return '';
  const prior = `${e.prior.name} (${e.prior.type === 'ngram' ? `n-gram, ${e.prior.contextSize + 1}-gram` : `neural, ${e.prior.contextSize} tokens of context`})`;
  const k = e.counts;
  if (!k) return `<section><h2>Editing</h2><p>Editing was off in this run. Prior: ${esc(prior)}.</p></section>`;
  const share = (x: number) => (k.tokens > 0 ? x / k.tokens : 0);
  const cards: [string, string][] = [
    [pct(share(k.selected)), `selected (${k.selected.toLocaleString('en')} of ${k.tokens.toLocaleString('en')} tokens)`],
    [pct(share(k.changed)), `changed (${k.changed.toLocaleString('en')}; ${pct(k.selected > 0 ? (k.changed - k.deleted) / k.selected : 0)} of the selected)`],
    [pct(share(k.protected + k.locked + k.partWords)), 'never selectable (protected, locked or part of a word)'],
  ];
  const rows: [string, string][] = [
    ['prior', prior],
    ['threshold and regime', thresholdLine(e)],
    ['replacements drawn from', e.context === 'left' ? 'the left context, P(c | x<sub>&lt;i</sub>) (ToEdit)' : 'both sides: P(c | x<sub>&lt;i</sub>) times the prior\u2019s probability of the next tokens (two-sided)'],
    ['deleted', `${k.deleted.toLocaleString('en')} tokens`],
    ['protected spans', `${k.protected.toLocaleString('en')} tokens (${pct(share(k.protected))}), never selected nor produced`],
    ['locked by an earlier run', `${k.locked.toLocaleString('en')} tokens (${pct(share(k.locked))})`],
    ['part of a word', `${k.partWords.toLocaleString('en')} tokens (${pct(share(k.partWords))})`],
  ];
  return `<section class="edit-summary"><h2>Editing</h2><div class="cards">${cards.map(([v, l]) => `<div class="card"><b>${v}</b><span>${esc(l)}</span></div>`).join('')}</div>
<table class="settings">${rows.map(([a, b]) => `<tr><th>${a}</th><td>${a === 'replacements drawn from' ? b : esc(b)}</td></tr>`).join('')}</table></section>`;
}

/** The gate as a table of checks; a gate that checked nothing says so, and why, instead. */
export function gateTableHtml(g: GateResult): string {
  const head = `<section><h2>Gate</h2><p>Verdict: <span class="gate-${g.status}">${esc(gateHeadline(g))}</span>.</p>`;
  if (g.checks.length === 0) return `${head}<p class="note">Nothing was checked, so nothing here vouches for the outputs: they were written without a gate.</p></section>`;
  const rows = g.checks.map(
    (c) =>
      `<tr class="${c.passed ? 'pass' : 'fail'}"><td>${esc(c.view)}</td><td>${esc(CHECK_NAMES[c.check])} <code>${c.check}</code></td><td>${c.value === null ? 'not computable' : c.value.toFixed(4)}</td><td>\u2264 ${c.threshold}</td><td class="verdict">${c.passed ? 'pass' : 'FAIL'}</td></tr>`,
  );
  return `${head}<table class="gate"><tr><th>view</th><th>metric (check)</th><th>value</th><th>bound</th><th>verdict</th></tr>${rows.join('')}</table>
<p class="note">Each check bounds a drift of the view from the human text; a value that cannot be computed fails its check.</p></section>`;
}
