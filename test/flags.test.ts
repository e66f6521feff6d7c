import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBrown } from '../src/index.js';
import { cli } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

// A flag is never ignored: it does what it names, or the command exits 2 saying why not.

test('flags that contradict each other exit 2 naming both', async (t) => {
  const cases: [string[], RegExp][] = [
    [['edit', 'brown:heldout', '--p', '0.9', '--target-share', '0.1'], /edit: --p and --target-share do not go together/],
    [['run', 'pipelines/toedit-ngram.json', '--p', '0.9', '--target-share', '0.1'], /run: --p and --target-share do not go together/],
    [['run', 'pipelines/toedit-ngram.json', '--resume', '--force'], /run: --resume and --force do not go together/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.stderr, message);
  }
});

test('a flag that does not apply to what was asked exits 2 saying why, before any work', async (t) => {
  const cases: [string[], RegExp][] = [
    [['edit', 'brown:heldout', '--format', 'csv'], /--format expects jsonl, json, parquet, text, got "csv"/],
    [['edit', 'brown:heldout', '--format', 'jsonl'], /--format does not apply to brown:heldout: the built-in Brown corpus/],
    [['score', 'brown:heldout', '--text-field', 'body'], /--text-field does not apply to brown:heldout/],
    [['edit', 'README.md', '--format', 'text', '--id-field', 'name'], /--id-field does not apply to README\.md: text files have no fields/],
    [['run', 'pipelines/toedit-ngram.json', '--text-field', 'body'], /run: --text-field does not apply: the input \(brown\) has no fields/],
    [['run', 'pipelines/toedit-ngram.json', '--workers', '2'], /run: --workers does not apply: it is for sharded runs; give --world-size N too/],
    [['run', 'pipelines/toedit-ngram.json', '--world-size', '2', '--redis', 'redis://127.0.0.1:6379'], /run: --redis does not apply: it is for --executor bullmq/],
    [['run', 'pipelines/toedit-ngram.json', '--world-size', '2', '--dry-run'], /run: --dry-run does not apply: it is for --executor slurm/],
    [['detect', 'brown:heldout', '--priors', 'ngram', '--model', 'models/brown-gpt-5m'], /detect: --model does not apply: --priors ngram uses no neural model/],
    [['detect', 'brown:heldout', '--synthetic', 'x.jsonl', '--top-p', '0.5'], /detect: --top-p does not apply: --synthetic gives the machine text/],
    [['audit', 'brown:heldout', 'brown:train', '--text-field', 'body'], /--text-field does not apply to brown:heldout, brown:train/],
    [['audit', 'merge', 'a.json', '--out', 'm.json', '--reference', 'a'], /audit merge: --reference does not apply/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr, message);
  }
});

test('flags on run override the pipeline keys they name, and the manifest records the result', async (t) => {
  const dir = await tempDir(t, 'flags');
  const docs: string[] = [];
  for await (const d of readBrown('heldout')) if (docs.length < 3) docs.push(JSON.stringify({ name: d.id, body: d.text }));
  await writeFile(join(dir, 'corpus.jsonl'), docs.join('\n') + '\n');
  const base = JSON.parse(await readFile('pipelines/toedit-ngram.json', 'utf8'));
  const pipeline = join(dir, 'pipeline.json');
  await writeFile(pipeline, JSON.stringify({ ...base, input: { format: 'jsonl', path: join(dir, 'corpus.jsonl') } }));
  const out = join(dir, 'out');
  const r = await cli(['run', pipeline, '--text-field', 'body', '--id-field', 'name', '--target-share', '0.25', '--top-p', '0.9', '--temperature', '0.8', '--out', out, '--quiet']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /documents\s+3 read, 3 written, 0 rejected/);
  const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
  t.like(manifest.config.edit.selection, { mode: 'calibrated', targetShare: 0.25 });
  t.like(manifest.config.synthetic, { topP: 0.9, temperature: 0.8, topK: base.synthetic.topK });
  t.like(manifest.config.input, { textField: 'body', idField: 'name' });
  const first = JSON.parse((await readFile(join(out, 'edited.jsonl'), 'utf8')).split('\n')[0]);
  t.is(first.id, JSON.parse(docs[0]).name, 'ids come from the field --id-field names');
  const share = manifest.summary.selectedShare ?? manifest.summary.selected / manifest.summary.tokens;
  t.true(Math.abs(share - 0.25) < 0.02, `selected share ${share}`);
});
