import { corpusArgument } from '../corpus/argument.js';
import { type PipelineConfig, loadPipeline, parsePipeline } from '../pipeline/config.js';
import { transformersPriorSchema } from '../prior/config.js';
import { type Command, CORPUS_FLAGS, DEFAULT_PIPELINE, type FlagValues, corpusFlags, defineCommand, expectArgs } from './command.js';
import { EDIT_FLAGS, EDIT_FLAGS_HELP, GENERATE_FLAGS, GENERATE_FLAGS_HELP, applyPipelineFlags } from './pipeline-flags.js';
import { RUN_FLAGS, RUN_OPTIONS_HELP, runOnce } from './run.js';

const FILE_HELP = `
  <file> may also be brown:heldout, brown:train or brown:all (the built-in Brown corpus)
  --pipeline FILE  pipeline whose prior and settings to use (default: ${DEFAULT_PIPELINE})
  --model DIR      score with this transformers.js model folder instead of the pipeline's prior
                   (prior.type transformers, prior.model; docs/priors.md "Bring your own model")
  <file> may be a .jsonl, .json or .parquet file (.jsonl/.json also .gz or .zst compressed), a .txt
  file, a folder (a Hugging Face dataset folder, or any mix of those files) or a quoted glob
  such as 'data/train-*.parquet'; - reads standard input (JSONL unless --format says otherwise),
  copied once to a temporary file under the system's temp folder (TMPDIR), removed at the end
  --format F       jsonl | json | parquet | text: read every file as F (default: by extension)
  --split NAME     only the files of one Hugging Face split (train-00000-of-00002.parquet, …)
  --text-field F   field or column holding the text (default: text)
  --id-field F     field or column holding the id (default: id)
  --max-reject-share S  stop (exit 3) when more than this share of a file's records is
                   rejected: the file is being misread (default 0.5; 1 never stops)`;

const STAGE_FLAGS = { ...RUN_FLAGS, ...CORPUS_FLAGS, pipeline: { type: 'string' }, model: { type: 'string' } } as const;

type StageValues = FlagValues<typeof STAGE_FLAGS & typeof EDIT_FLAGS & typeof GENERATE_FLAGS>;

/** The pipeline of a one-stage command: the base pipeline with the file as input and only that stage on. */
async function stagePipeline(command: 'score' | 'edit' | 'generate', file: string, v: StageValues): Promise<PipelineConfig> {
  const base = await loadPipeline(v.pipeline ?? DEFAULT_PIPELINE);
  const input = corpusArgument(file, corpusFlags(v));
  // --model keeps the pipeline's transformers settings (batch size, stride) when it has them.
  const prior = v.model === undefined ? base.prior : base.prior.type === 'transformers' ? { ...base.prior, model: v.model } : transformersPriorSchema.parse({ type: 'transformers', model: v.model });
  const stage = { ...base, name: `${base.name}-${command}`, input, prior, edit: { ...base.edit, enabled: command === 'edit' }, synthetic: { ...base.synthetic, enabled: command === 'generate' }, writeScores: command === 'score' };
  // The base pipeline's output settings (a folder, Parquet) are its own; a stage writes JSONL to --out.
  return parsePipeline({ ...applyPipelineFlags(command, stage, v), output: {} }, `${command} options`);
}

function stageCommand(command: 'score' | 'edit' | 'generate', help: string, flags: typeof EDIT_FLAGS | typeof GENERATE_FLAGS | Record<string, never>): Command {
  return defineCommand(command, help, { ...STAGE_FLAGS, ...flags }, async (v, positionals, argv) => {
    expectArgs(command, positionals, 'input file');
    return runOnce(await stagePipeline(command, positionals[0], v as StageValues), v, argv);
  });
}

export const scoreCommand = stageCommand(
  'score',
  `Usage: tailguard score <file> [options]

Scores every token of every document with the pipeline's prior and writes scores.jsonl.
${FILE_HELP}${RUN_OPTIONS_HELP}

Example:
  tailguard score corpus.jsonl --out runs/scores`,
  {},
);

export const editCommand = stageCommand(
  'edit',
  `Usage: tailguard edit <file> [options]

Applies the pipeline's edit stage (ToEdit by default) to a file: edited.jsonl and edits.jsonl.
${FILE_HELP}${EDIT_FLAGS_HELP}${RUN_OPTIONS_HELP}

Example:
  tailguard edit corpus.jsonl --target-share 0.125 --out runs/edited`,
  EDIT_FLAGS,
);

export const generateCommand = stageCommand(
  'generate',
  `Usage: tailguard generate <file> [options]

Continues the first tokens of every document with the prior to the document's length:
synthetic.jsonl.
${FILE_HELP}${GENERATE_FLAGS_HELP}${RUN_OPTIONS_HELP}

Example:
  tailguard generate corpus.jsonl --top-p 0.9 --out runs/synthetic`,
  GENERATE_FLAGS,
);
