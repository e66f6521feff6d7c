import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBrown } from '../src/index.js';
import { cli } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

test('every command has --help with an example', async (t) => {
  for (const command of ['run', 'score', 'edit', 'generate']) {
    const r = await cli([command, '--help']);
    t.is(r.code, 0, command);
    t.regex(r.stdout, new RegExp(`Usage: tailguard ${command}[\\s\\S]*Example:`));
  }
  t.regex((await cli(['--help'])).stdout, /tailguard run <pipeline\.json>/);
});

test('each command accepts only its own flags: a flag of another command exits 2 naming it', async (t) => {
  const cases = [
    ['run', 'pipelines/toedit-ngram.json', '--split', 'train'],
    ['edit', 'brown:heldout', '--top-p', '0.9'],
    ['audit', 'brown:heldout', '--limit', '3'],
    ['status', 'runs/nowhere', '--out', 'x'],
    ['compare', 'pipelines/compare-strategies-ngram.json', '--repeats', '2'],
  ];
  for (const args of cases) {
    const r = await cli(args);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.stderr, new RegExp(`${args[2]}\\b`), args.join(' '));
  }
});

test('an unknown flag exits 2 naming the command and the closest flag it takes; --version prints the version; status of a missing folder exits 3', async (t) => {
  const typo = await cli(['edit', 'brown:heldout', '--target-shar', '0.1']);
  t.is(typo.code, 2);
  t.regex(typo.stderr, /edit: unknown flag '--target-shar'; did you mean '--target-share'\?/);
  const far = await cli(['status', 'runs/nowhere', '--frobnicate']);
  t.is(far.code, 2);
  t.regex(far.stderr, /status: unknown flag '--frobnicate' \(see tailguard status --help\)/);
  const missing = await cli(['status', join(await tempDir(t, 'cli'), 'nowhere')]);
  t.is(missing.code, 3, 'status on a folder that does not exist is an input error');
  t.regex(missing.stderr, /nowhere: no such folder/);
  const version = await cli(['--version']);
  t.is(version.code, 0);
  t.is(version.stdout.trim(), `tailguard ${JSON.parse(await readFile('package.json', 'utf8')).version}`);
});

test('configuration errors exit 2 and name the problem', async (t) => {
  const dir = await tempDir(t, 'cli');
  const bad = join(dir, 'bad.json');
  await writeFile(bad, JSON.stringify({ name: 'bad', input: { format: 'brown' }, prior: { type: 'ngram' }, edit: { selection: { mode: 'absolute', p: 1.5 } } }));
  const r = await cli(['run', bad]);
  t.is(r.code, 2);
  t.regex(r.stderr, /edit\.selection\.p/);
  t.is((await cli(['run', bad, '--no-such-flag'])).code, 2);
  t.is((await cli(['frobnicate'])).code, 2);
});

test('edit on a JSONL file writes a run folder and prints the summary', async (t) => {
  const dir = await tempDir(t, 'cli');
  const file = join(dir, 'tiny.jsonl');
  await writeFile(file, ['{"id":"1","text":"The jury said it would look into the matter of the election."}', 'oops'].join('\n'));
  const r = await cli(['edit', file, '--target-share', '0.2', '--out', join(dir, 'out'), '--quiet']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /documents\s+2 read, 1 written, 1 rejected/);
  t.regex(r.stdout, /calibrated/);
});

test('generate and score print no edit threshold or selection: their edit stage is off', async (t) => {
  const dir = await tempDir(t, 'cli');
  const file = join(dir, 'tiny.jsonl');
  await writeFile(file, '{"id":"1","text":"The jury said it would look into the matter of the election, and then it did."}\n');
  for (const command of ['generate', 'score']) {
    const r = await cli([command, file, '--out', join(dir, command), '--quiet']);
    t.is(r.code, 0, r.stderr);
    t.regex(r.stdout, /documents\s+1 read, 1 written/, command);
    t.notRegex(r.stdout, /threshold|selected|changed|NaN/, command);
  }
});

test('a run whose audit gate fails exits 6 and names the failed check', async (t) => {
  const dir = await tempDir(t, 'cli');
  const pipeline = join(dir, 'strict.json');
  await writeFile(
    pipeline,
    JSON.stringify({
      name: 'strict',
      input: { format: 'brown', split: 'heldout' },
      limit: 2,
      prior: { type: 'ngram', file: '.cache/ngram/brown-train-3gram.tgkn.gz' },
      edit: { selection: { mode: 'calibrated', targetShare: 0.125 } },
      audit: { gate: { synthetic: { maxTypeLoss: 0.0001 } } },
    }),
  );
  const r = await cli(['run', pipeline, '--out', join(dir, 'out'), '--quiet']);
  t.is(r.code, 6, r.stderr);
  t.regex(r.stdout, /gate FAIL: synthetic maxTypeLoss = 0\.\d+ \(threshold 0\.0001\)/);
});

test('audit compares corpora without editing; audit merge adds shard statistics up to the whole', async (t) => {
  const dir = await tempDir(t, 'cli');
  const docs: string[] = [];
  for await (const d of readBrown('heldout')) if (docs.length < 4) docs.push(JSON.stringify({ id: d.id, text: d.text }));
  await writeFile(join(dir, 'a.jsonl'), docs.slice(0, 2).join('\n'));
  await writeFile(join(dir, 'b.jsonl'), docs.slice(2).join('\n'));
  await writeFile(join(dir, 'whole.jsonl'), docs.join('\n'));
  const r = await cli(['audit', join(dir, 'whole.jsonl'), join(dir, 'a.jsonl'), join(dir, 'b.jsonl'), '--no-prior', '--out', join(dir, 'audit'), '--quiet']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /JSD bigrams vs whole/);
  const m = await cli(['audit', 'merge', join(dir, 'audit', 'stats.a.json'), join(dir, 'audit', 'stats.b.json'), '--out', join(dir, 'merged.json')]);
  t.is(m.code, 0, m.stderr);
  const { readFile } = await import('node:fs/promises');
  t.deepEqual(JSON.parse(await readFile(join(dir, 'merged.json'), 'utf8')), JSON.parse(await readFile(join(dir, 'audit', 'stats.whole.json'), 'utf8')));
});
