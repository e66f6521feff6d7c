import { corpusArgument } from '../corpus/argument.js';
import { type PipelineConfig, loadPipeline, parsePipeline } from '../pipeline/config.js';
import { type Command, CORPUS_FLAGS, DEFAULT_PIPELINE, type FlagValues, corpusFlags, defineCommand, expectArgs, int, num } from './command.js';
import { RUN_FLAGS, RUN_OPTIONS_HELP, runOnce } from './run.js';

const FILE_HELP = `
  <file> may also be brown:heldout, brown:train or brown:all (the built-in Brown corpus)
  --pipeline FILE  pipeline whose prior and settings to use (default: ${DEFAULT_PIPELINE})
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

const STAGE_FLAGS = { ...RUN_FLAGS, ...CORPUS_FLAGS, pipeline: { type: 'string' } } as const;
const EDIT_FLAGS = { p: { type: 'string' }, 'target-share': { type: 'string' } } as const;
const GENERATE_FLAGS = { 'prompt-tokens': { type: 'string' }, temperature: { type: 'string' }, 'top-k': { type: 'string' }, 'top-p': { type: 'string' } } as const;

type StageValues = FlagValues<typeof STAGE_FLAGS & typeof EDIT_FLAGS & typeof GENERATE_FLAGS>;

/** The pipeline of a one-stage command: the base pipeline with the file as input and only that stage on. */
async function stagePipeline(command: 'score' | 'edit' | 'generate', file: string, v: StageValues): Promise<PipelineConfig> {
  const base = await loadPipeline(v.pipeline ?? DEFAULT_PIPELINE);
  const input = corpusArgument(file, corpusFlags(v));
  const selection =
    v.p !== undefined ? { mode: 'absolute', p: num('p', v.p) } : v['target-share'] !== undefined ? { mode: 'calibrated', targetShare: num('target-share', v['target-share']) } : base.edit.selection;
  const synthetic = {
    ...base.synthetic,
    ...(v['prompt-tokens'] !== undefined && { promptTokens: int('prompt-tokens', v['prompt-tokens']) }),
    ...(v.temperature !== undefined && { temperature: num('temperature', v.temperature) }),
    ...(v['top-k'] !== undefined && { topK: int('top-k', v['top-k']) }),
    ...(v['top-p'] !== undefined && { topP: num('top-p', v['top-p']) }),
    enabled: command === 'generate',
  };
  return parsePipeline(
    { ...base, name: `${base.name}-${command}`, input, edit: { ...base.edit, selection, enabled: command === 'edit' }, synthetic, writeScores: command === 'score', output: {} },
    `${command} options`,
  );
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
${FILE_HELP}
  --p P            absolute threshold: select tokens with P > p
  --target-share S calibrated threshold: select a share S of tokens${RUN_OPTIONS_HELP}

Example:
  tailguard edit corpus.jsonl --target-share 0.125 --out runs/edited`,
  EDIT_FLAGS,
);

export const generateCommand = stageCommand(
  'generate',
  `Usage: tailguard generate <file> [options]

Continues the first tokens of every document with the prior to the document's length:
synthetic.jsonl.
${FILE_HELP}
  --prompt-tokens N  tokens of each document kept as the prompt
  --temperature T    sampling temperature (default 1)
  --top-k K          keep the K most probable tokens (0 = off)
  --top-p P          nucleus sampling mass (1 = off)${RUN_OPTIONS_HELP}

Example:
  tailguard generate corpus.jsonl --top-p 0.9 --out runs/synthetic`,
  GENERATE_FLAGS,
);
