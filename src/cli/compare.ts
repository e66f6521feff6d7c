import { loadComparison, parseComparison } from '../compare/config.js';
import { runComparison } from '../compare/run.js';
import { terminalTable } from '../compare/terminal-table.js';
import { defineCommand, expectArgs, loadWithFlags, logger } from './command.js';

const HELP = `Usage: tailguard compare <comparison.json> [options]

Edit strategies side by side on one corpus: ToEdit and its variants, the low-probability-end
ablation, top-p candidates, sweeps of p / target share / beta / k, and a random-position baseline
that changes as many tokens as the strategy it mirrors. The corpus is scored once; every strategy
edits from those scores with every seed. For each: selected and changed shares, where it selects
(probability bins), the audit against the human text (JSD, distinct-n, top-40 mass, perplexity W1)
and a downstream check (an n-gram model trained on the edited corpus, perplexity on real text it
never saw, against models trained on the human and the fully synthetic corpus; mean ± sd over
seeds). Prints the key columns in 100 columns of text; writes every column to comparison.md, and
comparison.json and comparison.html. See
pipelines/compare-strategies.json for every key.

Options:
  --out DIR        output folder (default: runs/<name>)
  --seed N         first seed (default: the file's); seed j is seed + j
  --seeds N        number of seeds (default: the file's)
  --limit N        compare on the first N documents
  --force          replace an earlier comparison in the output folder
  --json           print comparison.json's results instead of the table
  --quiet          no log lines
  -h, --help       this help

Example:
  tailguard compare pipelines/compare-strategies.json --out runs/compare`;

const FLAGS = { out: { type: 'string' }, seed: { type: 'string' }, seeds: { type: 'string' }, limit: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' }, quiet: { type: 'boolean' } } as const;

/** `tailguard compare`: load, apply the flags (through the schema), run, print. */
export const compareCommand = defineCommand('compare', HELP, FLAGS, async (v, positionals) => {
  expectArgs('compare', positionals, 'comparison file');
  const config = await loadWithFlags(positionals[0], loadComparison, parseComparison, { seed: v.seed, seeds: v.seeds, limit: v.limit });
  const { dir, results } = await runComparison(config, { out: v.out, force: v.force ?? false, log: logger(v.quiet) });
  if (v.json) console.log(JSON.stringify(results, null, 2));
  else console.log(`${terminalTable(results)}\n\n${results.timings.wallSeconds.toFixed(1)} s; output: ${dir} (comparison.md: every column; comparison.html; comparison.json)`);
  return 0;
});
