import { join } from 'node:path';
import { corpusArguments } from '../corpus/argument.js';
import { TailguardError } from '../errors.js';
import { parseDetect, type DetectInput } from '../detect/config.js';
import { detectSummary } from '../detect/report-markdown.js';
import { DETECT_FILES, runDetect } from '../detect/run.js';
import { refuseUnless } from './flag-rules.js';
import { CORPUS_FLAGS, OUTPUT_FLAGS, corpusFlags, defineCommand, logger, num } from './command.js';

const HELP = `Usage: tailguard detect <corpus> [options]

Estimates the share of machine-made documents in a corpus, calibrated on human text you trust.
The reference is cut into segments and split by document into a calibration part (chooses the
feature and the threshold) and a held-out part (states the false-positive rate); synthetic
counterparts are generated from the reference's own prompts unless --synthetic gives machine
text. Prints the synthetic share with a bootstrap interval, never narrower than the binomial
one of the document count (mixture estimate and threshold estimate corrected by the held-out
error rates); target documents under a quarter of the segment length are too short to estimate
anything and are refused (exit 3) with the --segment-chars that would fit. Writes
detections.jsonl (per document: id, meta, score, label, posterior, features), reference.jsonl,
synthetic.jsonl, rejects.jsonl, report.json, report.md and report.html (score histograms).
<corpus> is a .jsonl/.json file, a folder of .txt files, brown:heldout / brown:train, or - for
standard input (JSONL unless --format says otherwise).

Options:
  --reference C        human reference corpus (default: brown:heldout)
  --synthetic C        known machine text to calibrate on instead of generating it
  --priors P           both | neural | ngram (default: both; ngram needs no neural model)
  --model DIR          the neural prior's folder (default: models/brown-gpt-5m)
  --generator G        neural | ngram: which prior writes the synthetic text (default: neural if used)
  --top-p P            generation nucleus mass (default 0.9)
  --temperature T      generation temperature (default 1)
  --segment-chars N    reference segment length in characters, near the target's (default 1500,
                       at least 100)
  --segments-per-doc N segments per reference document, 0 = all (default 2)
  --fpr F              false-positive rate the threshold is set to (default 0.05)
  --bootstrap N        bootstrap rounds of the intervals (default 500)
  --seed N             seed of the split, the generation and the bootstrap (default 1)
  --format F           jsonl | json | text for file arguments (default: from the extension)
  --text-field F       JSON field holding the text (default: text)
  --id-field F         JSON field holding the id (default: id)
  --split NAME         for folder arguments: only the files of one Hugging Face split
  --max-reject-share S stop (exit 3) when more than this share of a file's records is rejected
                       (default 0.5)
  --out DIR            output folder (default: runs/detect)
  --force              replace an earlier detection in the output folder
  --json               print report.json instead of the summary
  --quiet              no log lines
  -h, --help           this help

Example:
  tailguard detect crawl.jsonl --reference my-human-sample.jsonl --segment-chars 2000 --out runs/detect`;

const OPTIONS = {
  reference: { type: 'string' },
  synthetic: { type: 'string' },
  priors: { type: 'string' },
  model: { type: 'string' },
  generator: { type: 'string' },
  'top-p': { type: 'string' },
  temperature: { type: 'string' },
  'segment-chars': { type: 'string' },
  'segments-per-doc': { type: 'string' },
  fpr: { type: 'string' },
  bootstrap: { type: 'string' },
  seed: { type: 'string' },
  ...CORPUS_FLAGS,
  ...OUTPUT_FLAGS,
} as const;

/** `tailguard detect`: parse the flags, validate them as a detect config, run, print. */
export const detectCommand = defineCommand('detect', HELP, OPTIONS, async (v, positionals) => {
  if (positionals.length !== 1) throw new TailguardError('config', `detect: expected one corpus to examine, got ${positionals.length} (see --help)`);
  const priors = v.priors ?? 'both';
  if (!['both', 'neural', 'ngram'].includes(priors)) throw new TailguardError('config', `--priors expects both, neural or ngram, got "${priors}"`);
  refuseUnless('detect', v, ['model'], priors !== 'ngram', '--priors ngram uses no neural model');
  refuseUnless('detect', v, ['generator', 'top-p', 'temperature'], v.synthetic === undefined, '--synthetic gives the machine text, nothing is generated');
  // The reading flags apply to the arguments they fit (a JSONL's fields), not to brown:heldout.
  const [target, reference, synthetic] = corpusArguments([positionals[0], v.reference ?? 'brown:heldout', ...(v.synthetic === undefined ? [] : [v.synthetic])], corpusFlags(v));
  const input: DetectInput = {
    seed: num('seed', v['seed']),
    reference,
    synthetic,
    priors: {
      neural: priors === 'ngram' ? undefined : { type: 'transformers', model: v.model ?? 'models/brown-gpt-5m' },
      ngram: priors === 'neural' ? undefined : { type: 'ngram', order: 3, minCount: 2, train: { format: 'brown', split: 'train' }, file: '.cache/ngram/brown-train-3gram.tgkn.gz' },
    },
    generator: v.generator as DetectInput['generator'],
    generation: { topP: num('top-p', v['top-p']), temperature: num('temperature', v['temperature']) },
    segmentChars: num('segment-chars', v['segment-chars']),
    segmentsPerDocument: num('segments-per-doc', v['segments-per-doc']),
    fpr: num('fpr', v['fpr']),
    bootstrap: num('bootstrap', v['bootstrap']),
  };
  // Flags go through the schema, so --fpr 2 is refused like "fpr": 2 in a file would be.
  const config = parseDetect(JSON.parse(JSON.stringify(input)), 'detect options');
  const out = v.out ?? join('runs', 'detect');
  const { report } = await runDetect(config, { target, out, force: v.force ?? false, log: logger(v.quiet) });
  if (v.json) console.log(JSON.stringify(report, null, 2));
  else console.log(`${detectSummary(report)}\n  output            ${out} (${DETECT_FILES.detections}, ${DETECT_FILES.html}, …)`);
  return 0;
});
