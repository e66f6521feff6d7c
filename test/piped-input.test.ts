// Standard input and pipes as the corpus, and standard output as the edited corpus, through real
// pipes: a shell's `cat file | tailguard …`, and a child process whose stdin is a pipe.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBrown } from '../src/index.js';
import { shellQuote } from '../src/shell-quote.js';
import { collect } from './helpers/brown-prior.js';
import { type CliResult, cli } from './helpers/cli.js';
import { newTempDir, removeTempDir } from './helpers/temp-dir.js';

const root = await newTempDir('piped');
const brown = (await collect(readBrown('heldout'))).slice(0, 10).map((d) => ({ id: d.id, text: d.text.slice(0, 1500), meta: d.meta }));
const file = join(root, 'corpus.jsonl');
const body = brown.map((d) => JSON.stringify(d)).join('\n') + '\n';
await writeFile(file, body);
const CLI = [process.execPath, '--import', 'tsx', 'src/cli.ts'];

/** `cat <input> | tailguard <args>` in a shell: the CLI's stdin is the pipe from cat. */
function catInto(input: string, args: string[]): Promise<CliResult> {
  return run(spawn('sh', ['-c', `cat ${shellQuote(input)} | ${[...CLI, ...args].map(shellQuote).join(' ')}`], { env: { ...process.env, NO_COLOR: '1' } }));
}

/** The CLI with `bytes` written into its stdin pipe, with more environment (e.g. a fault point, see fault-point.ts). */
function pipeInto(bytes: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawn(CLI[0], [...CLI.slice(1), ...args], { env: { ...process.env, NO_COLOR: '1', ...env } });
  child.stdin!.end(bytes);
  return run(child);
}

function run(child: ReturnType<typeof spawn>): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

const manifest = async (out: string) => JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
const edited = (out: string) => readFile(join(out, 'edited.jsonl'), 'utf8');
// The default pipeline calibrates: its input is read twice, and both passes must see every record.
const byPath = await cli(['edit', file, '--out', join(root, 'by-path'), '--quiet']);

test.after.always(() => removeTempDir(root));

test('`cat file | tailguard edit -` edits what the same file given by path gives, names the input stdin, and leaves no spool behind', async (t) => {
  t.is(byPath.code, 0, byPath.stderr);
  const out = join(root, 'dash');
  const r = await catInto(file, ['edit', '-', '--out', out]);
  t.is(r.code, 0, r.stderr);
  t.is(await edited(out), await edited(join(root, 'by-path')));
  const m = await manifest(out);
  t.deepEqual(m.counts, { read: brown.length, written: brown.length, rejected: 0 });
  t.is(m.input, 'jsonl:stdin');
  t.deepEqual(Object.keys(m.inputs), ['-']);
  const spool = /stdin: \d+ bytes copied to (\S+) \(removed at the end\)/.exec(r.stderr)?.[1];
  t.truthy(spool, r.stderr);
  t.false(existsSync(spool!), 'the spooled copy is removed');
});

test('/dev/stdin and a process substitution (pipes given by name) are spooled too', async (t) => {
  const viaDev = await catInto(file, ['edit', '/dev/stdin', '--format', 'jsonl', '--out', join(root, 'dev'), '--quiet']);
  t.is(viaDev.code, 0, viaDev.stderr);
  t.is(await edited(join(root, 'dev')), await edited(join(root, 'by-path')));
  const bash = spawn('bash', ['-c', `${[...CLI, 'edit'].map(shellQuote).join(' ')} <(cat ${shellQuote(file)}) --format jsonl --out ${shellQuote(join(root, 'subst'))} --quiet`], { env: { ...process.env, NO_COLOR: '1' } });
  const viaSubst = await run(bash);
  t.is(viaSubst.code, 0, viaSubst.stderr);
  t.is(await edited(join(root, 'subst')), await edited(join(root, 'by-path')));
});

test('--out - writes the edited records to stdout as JSONL, the summary to stderr, and keeps no folder', async (t) => {
  const r = await catInto(file, ['edit', '-', '--out', '-']);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, await edited(join(root, 'by-path')));
  t.regex(r.stderr, new RegExp(`documents\\s+${brown.length} read, ${brown.length} written, 0 rejected`));
  t.regex(r.stderr, /output\s+standard output \(edited\.jsonl\)/);
  t.false(existsSync('-'), 'no folder named "-"');
  const resume = await cli(['edit', file, '--out', '-', '--resume']);
  t.is(resume.code, 2);
  t.regex(resume.stderr, /--resume cannot be used with --out -/);
  const audit = await cli(['audit', file, '--no-prior', '--out', '-']);
  t.is(audit.code, 2, 'commands that write a folder of files refuse --out -');
});

test('a run on stdin stopped by a signal resumes when given the same bytes again, and refuses other bytes', async (t) => {
  const pipeline = join(root, 'pipeline.json');
  const base = JSON.parse(await readFile('pipelines/toedit-ngram.json', 'utf8'));
  await writeFile(pipeline, JSON.stringify({ ...base, checkpoint: { everyDocuments: 1 }, batchSize: 1, concurrency: 1 }));
  const out = join(root, 'resumed');
  const args = ['edit', '-', '--pipeline', pipeline, '--out', out, '--quiet'];
  // Ctrl-C at the first checkpoint, at that exact step however busy the machine is.
  const stopped = await pipeInto(body, args, { TAILGUARD_TEST_KILL_AT: 'checkpoint:1', TAILGUARD_TEST_KILL_SIGNAL: 'SIGINT' });
  t.is(stopped.code, 130, stopped.stderr);
  t.regex(stopped.stderr, /to resume, give the same input again/);
  const other = await pipeInto(body.replace('.', '!'), [...args, '--resume']);
  t.is(other.code, 3);
  t.regex(other.stderr, /the input stdin changed since it started \(its bytes differ from those the run started with\)/);
  const resumed = await pipeInto(body, [...args, '--resume']);
  t.is(resumed.code, 0, resumed.stderr);
  t.is(await edited(out), await edited(join(root, 'by-path')));
});
