import type { CorpusSpec } from '../corpus/spec.js';
import type { PipelineConfig } from '../pipeline/config.js';
import { type FlagValues, int, num } from './command.js';
import { refuseTogether, refuseUnless } from './flag-rules.js';

/**
 * Flags that override a pipeline key, for `run` and the one-stage commands alike: each names the
 * key it sets (see PIPELINE_FLAGS_HELP), and one whose stage or input does not use it is refused.
 */
export const EDIT_FLAGS = {
  p: { type: 'string' },
  'target-share': { type: 'string' },
  'changed-share': { type: 'string' },
  context: { type: 'string' },
  'locked-from': { type: 'string' },
} as const;
export const GENERATE_FLAGS = { 'prompt-tokens': { type: 'string' }, temperature: { type: 'string' }, 'top-k': { type: 'string' }, 'top-p': { type: 'string' } } as const;
export const FIELD_FLAGS = { 'text-field': { type: 'string' }, 'id-field': { type: 'string' } } as const;

export const EDIT_FLAGS_HELP = `
  --p P              absolute threshold: select tokens with P > p (edit.selection)
  --target-share S   calibrated threshold: select a share S of tokens (edit.selection)
  --changed-share S  calibrated threshold: change an expected share S of tokens (edit.selection)
  --context C        left (ToEdit) | two-sided: what a replacement is drawn from (edit.context)
  --locked-from F    an earlier run's edits.jsonl: never select what it edited (edit.lockedFrom)`;
export const GENERATE_FLAGS_HELP = `
  --prompt-tokens N  tokens of each document kept as the prompt (synthetic.promptTokens)
  --temperature T    sampling temperature (synthetic.temperature)
  --top-k K          keep the K most probable tokens, 0 = off (synthetic.topK)
  --top-p P          nucleus sampling mass, 1 = off (synthetic.topP)`;
export const FIELD_FLAGS_HELP = `
  --text-field F     field or column holding the text (input.textField)
  --id-field F       field or column holding the id (input.idField)`;

type PipelineFlagValues = FlagValues<typeof EDIT_FLAGS & typeof GENERATE_FLAGS & typeof FIELD_FLAGS>;

/** The pipeline (not yet validated again) with the given flags laid over the keys they name. */
export function applyPipelineFlags(command: string, base: PipelineConfig, v: PipelineFlagValues): Record<string, unknown> {
  refuseTogether(command, v, ['p', 'target-share', 'changed-share'], 'each sets the threshold its own way (absolute, a share of tokens selected, a share changed)');
  refuseUnless(command, v, Object.keys(EDIT_FLAGS), base.edit.enabled, 'the edit stage of this pipeline is off (edit.enabled)');
  refuseUnless(command, v, Object.keys(GENERATE_FLAGS), base.synthetic.enabled, 'the synthetic stage of this pipeline is off (synthetic.enabled)');
  refuseUnless(command, v, Object.keys(FIELD_FLAGS), hasFields(base.input), `the input (${base.input.format}) has no fields to choose`);
  const selection =
    v.p !== undefined
      ? { mode: 'absolute', p: num('p', v.p) }
      : v['target-share'] !== undefined
        ? { mode: 'calibrated', targetShare: num('target-share', v['target-share']) }
        : v['changed-share'] !== undefined
          ? { mode: 'changed-share', targetShare: num('changed-share', v['changed-share']) }
          : base.edit.selection;
  const edit = {
    ...base.edit,
    selection,
    ...(v.context !== undefined && { context: v.context }),
    ...(v['locked-from'] !== undefined && { lockedFrom: v['locked-from'] }),
  };
  const synthetic = {
    ...base.synthetic,
    ...(v['prompt-tokens'] !== undefined && { promptTokens: int('prompt-tokens', v['prompt-tokens']) }),
    ...(v.temperature !== undefined && { temperature: num('temperature', v.temperature) }),
    ...(v['top-k'] !== undefined && { topK: int('top-k', v['top-k']) }),
    ...(v['top-p'] !== undefined && { topP: num('top-p', v['top-p']) }),
  };
  const input = { ...base.input, ...(v['text-field'] !== undefined && { textField: v['text-field'] }), ...(v['id-field'] !== undefined && { idField: v['id-field'] }) };
  return { ...base, input, edit, synthetic };
}

/** Whether the corpus's records have fields (JSON, Parquet), unlike the Brown corpus and text files. */
function hasFields(input: CorpusSpec): boolean {
  return input.format !== 'brown' && input.format !== 'text';
}
