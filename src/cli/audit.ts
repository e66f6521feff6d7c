import { join } from 'node:path';
import { corpusArguments, corpusViewName } from '../corpus/argument.js';
import { auditCorpora, mergeStatsFiles } from '../pipeline/audit-corpora.js';
import { loadPipeline } from '../pipeline/config.js';
import { formatAudit } from '../pipeline/summary.js';
import { openPrior } from '../prior/open.js';
import { TailguardError } from '../errors.js';
import { refuseUnless } from './flag-rules.js';
import { EXIT_GATE_FAILED } from './print-run.js';
import { CORPUS_FLAGS, DEFAULT_PIPELINE, OUTPUT_FLAGS, corpusFlags, defineCommand, logger } from './command.js';

const HELP = `Usage: tailguard audit <corpus...> [options]
       tailguard audit merge <stats.json...> --out merged.json

Audits corpora without editing them: n-gram diversity and concentration, perplexity and rank
buckets under the prior, each corpus compared with the reference (the first one, or --reference).
Writes report.json, report.md, report.html and stats.<name>.json (mergeable) to --out.
The gate is the --pipeline's: its "edited" bounds check the corpus named edited (a run's
edited.jsonl); exit 6 when a check fails. No such corpus: the report says nothing was checked.
A corpus is a .jsonl/.json (also .gz, .zst) or .parquet file, a .txt file, a folder (Hugging Face
dataset folders, mixed files), a quoted glob, brown:heldout / brown:train, or - for standard input.
\`audit merge\` adds up stats.<name>.json files of shards into the statistics of the whole.

Options:
  --reference NAME   which corpus is the reference (file path or name; default: the first)
  --pipeline FILE    pipeline whose prior and gate to use (default: ${DEFAULT_PIPELINE})
  --no-prior         n-gram metrics only, no scoring
  --format F, --text-field F, --id-field F, --split NAME: how the corpora's files are read
  --max-reject-share S  stop (exit 3) when more than this share of a file's records is rejected
                     (default 0.5)
  --out DIR          output folder (default: runs/audit); for merge, the output file
  --force            replace an earlier audit in the output folder
  --json             print the report's views and comparisons as JSON
  --quiet            no log lines

Example:
  tailguard audit brown:heldout runs/toedit-ngram/synthetic.jsonl --out runs/audit`;

const FLAGS = {
  ...CORPUS_FLAGS,
  reference: { type: 'string' },
  pipeline: { type: 'string' },
  'no-prior': { type: 'boolean' },
  ...OUTPUT_FLAGS,
} as const;

export const auditCommand = defineCommand('audit', HELP, FLAGS, async (v, positionals) => {
  if (positionals[0] === 'merge') {
    refuseUnless('audit merge', v, Object.keys(FLAGS).filter((f) => f !== 'out'), false, 'audit merge only adds up statistics files into --out');
    if (!v.out) throw new TailguardError('config', 'audit merge: give the stats files to merge and --out FILE');
    const merged = await mergeStatsFiles(positionals.slice(1), v.out);
    console.log(`merged ${positionals.length - 1} statistics files: ${merged.docs} documents, ${merged.tokens} words -> ${v.out}`);
    return 0;
  }
  if (positionals.length === 0) throw new TailguardError('config', 'audit: give at least one corpus (see --help)');
  const taken = new Set<string>();
  const specs = corpusArguments(positionals, corpusFlags(v));
  const corpora = positionals.map((arg, i) => ({ arg, name: corpusViewName(arg, taken), spec: specs[i] }));
  const reference = v.reference === undefined ? undefined : (corpora.find((c) => c.arg === v.reference || c.name === v.reference)?.name ?? v.reference);
  const pipeline = await loadPipeline(v.pipeline ?? DEFAULT_PIPELINE);
  const prior = v['no-prior'] ? undefined : await openPrior(pipeline.prior, logger(v.quiet));
  const out = v.out ?? join('runs', 'audit');
  const { report, rejected } = await auditCorpora({ corpora, reference, prior, out, force: v.force ?? false, gate: pipeline.audit.gate });
  await prior?.dispose();
  if (v.json) console.log(JSON.stringify({ views: report.views, comparisons: report.comparisons, gate: report.gate, rejected }, null, 2));
  else console.log(`${formatAudit(report)}\n  rejected records: ${JSON.stringify(rejected)}\n  output: ${out} (report.html, report.md, report.json)`);
  return report.gate.status === 'failed' ? EXIT_GATE_FAILED : 0;
});
