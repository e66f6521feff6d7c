import type { FieldGuess } from '../corpus/guess-fields.js';

/** A key of the starter pipeline with the comment written above it; an array value is a nested object. */
interface Key {
  key: string;
  comment: string;
  value: unknown;
  children?: Key[];
}

/** What `tailguard init` learnt of the user's corpus (none: the Brown corpus). */
export interface StarterInput {
  /** The path as the user gave it: relative paths are resolved from the working directory. */
  path: string;
  /** jsonl, json, parquet, text, or files for a folder or glob. */
  format: string;
  text?: FieldGuess;
  id?: FieldGuess;
  /** How many records the guesses rest on. */
  records: number;
}

/**
 * A starter pipeline as JSONC, a comment above every key: the n-gram prior on Brown (nothing to
 * download, trained on first use), ToEdit at the paper's size of change (1% of tokens), the
 * synthetic baseline, the default audit gate. Every value is one the pipeline schema accepts;
 * the test runs the file.
 */
export function starterPipeline(name: string, file: string, input: StarterInput | undefined): string {
  const keys: Key[] = [
    { key: 'name', value: name, comment: 'The run\'s name: its output folder is runs/<name> unless --out says otherwise.' },
    { key: 'seed', value: 1, comment: 'Every random draw derives from the seed: the same seed, input and settings give the same files byte for byte.' },
    { key: 'input', value: null, comment: input ? `The corpus to edit (guessed from its first ${input.records} records; check the fields). Relative paths are read from the folder you run tailguard in.` : 'The corpus to edit: the Brown corpus\'s held-out split (the prior is trained on the other split: a prior never scores text it was trained on). For your own file: tailguard init FILE.', children: inputKeys(input) },
    {
      key: 'prior',
      value: null,
      comment: 'The language model that scores each token: the built-in Kneser-Ney n-gram model, trained on first use (a few seconds) and cached. For the shipped neural prior: "type": "transformers" with "model": "models/brown-gpt-5m" (docs/priors.md).',
      children: [
        { key: 'type', value: 'ngram', comment: 'ngram (built in) or transformers (an ONNX causal LM from a local folder).' },
        { key: 'order', value: 3, comment: 'n: each token is scored given the 2 words before it.' },
        { key: 'minCount', value: 2, comment: 'N-grams seen fewer times in training are pruned.' },
        { key: 'train', value: { format: 'brown', split: 'train' }, comment: 'The training corpus; it must not overlap the input. Text of your own domain trains a better prior: any corpus, as in "input".' },
        { key: 'file', value: '.cache/ngram/brown-train-3gram.tgkn.gz', comment: 'Where the trained model is cached (retrained when missing or made with other settings).' },
      ],
    },
    {
      key: 'edit',
      value: null,
      comment: 'ToEdit: tokens the prior finds near-certain are selected and resampled from its top candidates (docs/editing.md).',
      children: [
        { key: 'selection', value: { mode: 'changed-share', targetShare: 0.01 }, comment: 'The threshold p is calibrated so an expected 1% of all tokens change, the paper\'s size of change. Or "mode": "absolute" with "p": 0.99; or "mode": "calibrated" with "targetShare": 0.125, a share of tokens selected.' },
        { key: 'topK', value: 8, comment: 'A selected token is redrawn from the prior\'s 8 most likely tokens at its place.' },
        { key: 'beta', value: 1.5, comment: 'The draw is from softmax(log p / beta): above 1 it flattens the candidates, so more tokens change; 1.5 is ToEdit\'s.' },
      ],
    },
    {
      key: 'synthetic',
      value: null,
      comment: 'A fully synthetic baseline: each document\'s start continued by the prior, audited next to the edited corpus. "enabled": false skips it (faster).',
      children: [
        { key: 'enabled', value: true, comment: 'Write synthetic.jsonl.' },
        { key: 'promptTokens', value: 32, comment: 'Tokens of each document given as the prompt.' },
        { key: 'temperature', value: 1, comment: 'Sampling temperature: 1 samples the prior as it is.' },
      ],
    },
    { key: 'audit', value: { enabled: true }, comment: 'Compare the edited and synthetic corpora with the input (report.html) and gate the edited one with the default checks: JSD-2 at most 0.08 bits, distinct-2 at most 0.01 below that of the input, at most 12% of the word types of the input lost (docs/gate.md). A failed gate exits 6 and keeps the outputs in quarantine/.' },
    { key: 'output', value: { format: 'jsonl' }, comment: 'Format of edited and synthetic: jsonl, jsonl.gz or parquet (docs/outputs-and-formats.md).' },
  ];
  const how = input ? `from ${input.path}` : 'for the Brown corpus';
  const header = [
    `// A starter pipeline written by tailguard init ${how}. Comments are allowed in pipeline files.`,
    `// Try it on a few documents, then on all: npx tailguard run ${file} --limit 20`,
    '// Every key, with its default: docs/pipelines.md.',
  ];
  return `${[...header, '{', ...emit(keys, '  '), '}'].join('\n')}\n`;
}

function inputKeys(input: StarterInput | undefined): Key[] {
  if (!input) return [{ key: 'format', value: 'brown', comment: 'The built-in Brown corpus.' }, { key: 'split', value: 'heldout', comment: 'heldout, train or all.' }];
  const keys: Key[] = [
    { key: 'format', value: input.format, comment: input.format === 'files' ? 'files: every data file below a folder or matching a glob, each by its extension.' : `${input.format}, from the file's extension (.gz and .zst are read too).` },
    { key: 'path', value: input.path, comment: 'The file, folder or glob.' },
  ];
  if (input.text) keys.push({ key: 'textField', value: input.text.field, comment: `The field holding the text: ${input.text.reason}.` });
  if (input.format !== 'text') {
    keys.push(
      input.id
        ? { key: 'idField', value: input.id.field, comment: `The field holding each record's id, kept in every output: ${input.id.reason}.` }
        : { key: 'idField', value: 'id', comment: 'No field of the records read looks like a unique id: records without an "id" are named <file>:<line>. Set the field that names your records, if any.' },
    );
  }
  return keys;
}

/** A value on one line, spaced as people write JSON: { "format": "brown", "split": "train" }. */
function oneLine(value: unknown): string {
  return JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ').replace(/\[ /g, '[').replace(/ \]/g, ']');
}

/** Comment lines are wrapped to fit this many columns (the keys' lines may be longer). */
const WIDTH = 100;

/** Words of `text` in lines of at most `width` characters (a longer word stands alone). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** The keys as JSONC lines, each after its comment; commas between siblings. */
function emit(keys: Key[], indent: string): string[] {
  return keys.flatMap((k, i) => {
    const comma = i < keys.length - 1 ? ',' : '';
    const head = wrap(k.comment, WIDTH - indent.length - 3).map((line) => `${indent}// ${line}`);
    if (!k.children) return [...head, `${indent}${JSON.stringify(k.key)}: ${oneLine(k.value)}${comma}`];
    return [...head, `${indent}${JSON.stringify(k.key)}: {`, ...emit(k.children, `${indent}  `), `${indent}}${comma}`];
  });
}
