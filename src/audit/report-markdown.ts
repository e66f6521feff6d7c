import { gateHeadline } from './gate.js';
import type { AuditReport } from './report.js';

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const num = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : '—');

/** report.md: one table of every metric per view, the comparisons with the reference, the gate. */
export function reportMarkdown(r: AuditReport, title: string): string {
  const names = Object.keys(r.views);
  const row = (label: string, f: (name: string) => string) => `| ${label} | ${names.map(f).join(' | ')} |`;
  const v = r.views;
  const lines = [
    `# ${title}`,
    '',
    `Reference view: **${r.reference}**. Gate: **${gateHeadline(r.gate)}**.`,
    ...(names.some((n) => v[n].approximate)
      ? ['', `N-gram counts of ${names.filter((n) => v[n].approximate).join(', ')} exceeded the memory budget: n-grams seen once were pruned, so the n-gram metrics of those views are approximate (frequent n-grams are still counted).`]
      : []),
    '',
    `| metric | ${names.join(' | ')} |`,
    `|---|${names.map(() => '---').join('|')}|`,
    row('documents', (n) => String(v[n].docs)),
    row('words', (n) => String(v[n].tokens)),
    ...[0, 1, 2, 3].map((i) => row(`distinct-${i + 1}`, (n) => num(v[n].distinct[i]))),
    row('bigram entropy (bits, normalised)', (n) => `${num(v[n].entropy[1], 2)} (${num(v[n].normalizedEntropy[1])})`),
    row('top-40 unigram mass', (n) => pct(v[n].topMass[0])),
    row('top-40 bigram mass', (n) => pct(v[n].topMass[1])),
    row('Zipf exponent', (n) => num(v[n].zipf)),
    row('hashed features in fullest 1% of buckets', (n) => pct(v[n].hashedTop1Percent)),
    row('perplexity mean', (n) => (v[n].perplexity ? num(v[n].perplexity!.mean, 1) : '—')),
    row('perplexity 5% / 50% / 95%', (n) => (v[n].perplexity ? v[n].perplexity!.quantiles.filter((_, i) => i % 2 === 0).map((q) => num(q, 1)).join(' / ') : '—')),
    row('prior rank top-1 / top-10 / top-100', (n) => (v[n].rankShares ? v[n].rankShares!.slice(0, 3).map(pct).join(' / ') : '—')),
    row('P(token) > 0.9', (n) => (v[n].probShares ? pct(v[n].probShares![9]) : '—')),
  ];
  const cmp = Object.keys(r.comparisons);
  if (cmp.length > 0) {
    lines.push('', `## Against ${r.reference}`, '', `| metric | ${cmp.join(' | ')} |`, `|---|${cmp.map(() => '---').join('|')}|`);
    const c = r.comparisons;
    const crow = (label: string, f: (name: string) => string) => lines.push(`| ${label} | ${cmp.map(f).join(' | ')} |`);
    [0, 1, 2, 3].forEach((i) => crow(`JSD ${i + 1}-grams (bits)`, (n) => num(c[n].jsd[i], 4)));
    crow('type loss', (n) => pct(c[n].typeLoss));
    crow('Δ distinct-2', (n) => num((c[n].deltas.distinct as number[])[1], 4));
    crow('Δ top-40 bigram mass', (n) => pct((c[n].deltas.topMass as number[])[1]));
    crow('perplexity W1', (n) => (c[n].perplexityW1 === null ? '—' : `${num(c[n].perplexityW1!, 2)} [${c[n].intervals.perplexityW1!.map((x) => num(x, 2)).join(', ')}]`));
    crow('perplexity KS', (n) => (c[n].perplexityKS === null ? '—' : num(c[n].perplexityKS!)));
    crow('Δ mean perplexity (95% CI)', (n) => (c[n].intervals.meanPerplexityDelta ? `${num(c[n].deltas.meanPerplexity as number, 1)} [${c[n].intervals.meanPerplexityDelta.map((x) => num(x, 1)).join(', ')}]` : '—'));
  }
  // Every check with its value, bound and verdict; a gate that checked nothing says so here too.
  lines.push('', '## Gate', '');
  if (r.gate.checks.length === 0) lines.push(`Gate ${gateHeadline(r.gate)}.`);
  else {
    lines.push('| view | check | value | threshold | result |', '|---|---|---|---|---|');
    for (const g of r.gate.checks) lines.push(`| ${g.view} | ${g.check} | ${g.value === null ? '—' : num(g.value, 4)} | ${g.threshold} | ${g.passed ? 'pass' : '**FAIL**'} |`);
  }
  return lines.join('\n') + '\n';
}
