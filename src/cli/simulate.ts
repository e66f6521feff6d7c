import type { AggregatedRegime } from '../simulate/aggregate.js';
import { loadSimulation, parseSimulation } from '../simulate/config.js';
import type { MetricName } from '../simulate/metrics.js';
import { runSimulation } from '../simulate/run.js';
import { defineCommand, expectArgs, loadWithFlags, logger } from './command.js';

const HELP = `Usage: tailguard simulate <simulation.json> [options]

Recursive training of n-gram models on Brown, data regimes side by side (replace, accumulate,
accumulate-subsample, mix, synthetic-share sweep, fixed share at growing size, iterated ToEdit),
repeated over seeds. Writes results.json, results.csv (per seed), summary.csv (mean and spread)
and report.html (curves per metric) to the output folder, and prints the first and last point
of every curve. See pipelines/collapse.json for every key.

Options:
  --out DIR        output folder (default: runs/<name>)
  --seed N         first seed (default: the file's); repeat r uses seed + r
  --repeats N      number of seeds (default: the file's)
  --workers N      worker threads (default: the file's, else one per CPU)
  --force          replace earlier results in the output folder
  --json           print results.json's aggregated regimes instead of the table
  --quiet          no log lines
  -h, --help       this help

Example:
  tailguard simulate pipelines/collapse.json --out runs/collapse`;

const FLAGS = { out: { type: 'string' }, seed: { type: 'string' }, repeats: { type: 'string' }, workers: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' }, quiet: { type: 'boolean' } } as const;

/** `tailguard simulate`: load, apply the flags, run, print. */
export const simulateCommand = defineCommand('simulate', HELP, FLAGS, async (v, positionals) => {
  expectArgs('simulate', positionals, 'simulation file');
  const config = await loadWithFlags(positionals[0], loadSimulation, parseSimulation, { seed: v.seed, repeats: v.repeats, workers: v.workers });
  const { dir, results } = await runSimulation(config, { out: v.out, force: v.force ?? false, log: logger(v.quiet) });
  if (v.json) console.log(JSON.stringify(results.regimes, null, 2));
  else console.log(`${formatCurves(results.regimes)}\n  ${results.seeds.length} seeds, ${results.wallSeconds.toFixed(1)}s on ${results.workers} workers\n  output: ${dir} (report.html, results.json, results.csv, summary.csv)`);
  return 0;
});

const SHOWN: [MetricName, string][] = [
  ['perplexity', 'held-out PPL'],
  ['typeLoss', 'types lost'],
  ['topMass2', 'top-k bigram mass'],
  ['sumSquares', 'MLE sum p^2'],
  ['selected', 'selected'],
];

/** The first and last point of every curve, mean ± sd over seeds. */
export function formatCurves(regimes: readonly AggregatedRegime[]): string {
  const fmt = (m: MetricName, v: number) => (m === 'perplexity' ? v.toFixed(1) : m === 'typeLoss' || m === 'topMass2' || m === 'selected' ? `${(v * 100).toFixed(2)}%` : v.toFixed(3));
  // Wide enough for the longest label (toedit variants run past 40 characters).
  const width = Math.max(34, ...regimes.flatMap((r) => r.curves.map((c) => c.label.length + 2)));
  const lines = [`  ${'curve'.padEnd(width)}${'x'.padEnd(18)}${SHOWN.map(([, h]) => h.padStart(24)).join('')}`];
  for (const regime of regimes) {
    for (const c of regime.curves) {
      const first = c.points[0];
      const last = c.points[c.points.length - 1];
      const cells = SHOWN.map(([m]) => {
        const a = first.metrics[m];
        const b = last.metrics[m];
        return (b ? `${a ? fmt(m, a.mean) : '-'} -> ${fmt(m, b.mean)}` : '').padStart(24);
      });
      lines.push(`  ${c.label.padEnd(width)}${`${first.x} -> ${last.x}`.padEnd(18)}${cells.join('')}`);
    }
  }
  return lines.join('\n');
}
