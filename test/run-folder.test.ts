import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBrown } from '../src/index.js';
import { cli, stopAt } from './helpers/cli.js';
import { newTempDir, removeTempDir } from './helpers/temp-dir.js';

const root = await newTempDir('run-folder');
// A corpus folder of two JSONL files of real Brown text, and a symbolic link to it.
const corpus = join(root, 'corpus');
await mkdir(join(corpus, 'more'), { recursive: true });
const docs: string[] = [];
for await (const d of readBrown('heldout')) if (docs.length < 4) docs.push(JSON.stringify({ id: d.id, text: d.text.slice(0, 600) }));
await writeFile(join(corpus, 'a.jsonl'), docs.slice(0, 2).join('\n') + '\n');
await writeFile(join(corpus, 'more', 'b.jsonl'), docs.slice(2).join('\n') + '\n');
const link = join(root, 'link');
await symlink(corpus, link);

test.after.always(() => removeTempDir(root));

test('an output folder inside the input through a symbolic link is refused (exit 5) before any work, and so is one inside a glob\'s folder', async (t) => {
  const r = await cli(['edit', corpus, '--out', join(link, 'out')]);
  t.is(r.code, 5, r.stderr);
  t.regex(r.stderr, /output folder \S+link\/out \(\S+corpus\/out once symbolic links are followed\) is the input \S+corpus or inside it; choose another --out/);
  t.notRegex(r.stderr, /loaded|calibrated/, 'refused before the prior is opened');
  t.false(existsSync(join(corpus, 'out')), 'nothing is written into the input');

  const glob = await cli(['edit', join(corpus, '**', '*.jsonl'), '--out', join(link, 'more', 'out'), '--quiet']);
  t.is(glob.code, 5, glob.stderr);
  t.regex(glob.stderr, /is the input \S+\*\.jsonl or inside it/);
});

test('an input inside the output folder through a symbolic link is refused (exit 5), --force or not, and stays', async (t) => {
  const out = join(root, 'out-holding-input');
  await mkdir(out);
  const input = join(out, 'in.jsonl');
  await writeFile(input, docs[0] + '\n');
  await symlink(out, join(root, 'to-out'));
  const r = await cli(['edit', join(root, 'to-out', 'in.jsonl'), '--out', out, '--force', '--quiet']);
  t.is(r.code, 5, r.stderr);
  t.regex(r.stderr, /input \S+to-out\/in\.jsonl \(\S+out-holding-input\/in\.jsonl once symbolic links are followed\) lies inside the output folder/);
  t.is(await readFile(input, 'utf8'), docs[0] + '\n');
});

test('an audit writes its manifest last: one killed before it is done again without --force; a finished one needs --force', async (t) => {
  const out = join(root, 'audit');
  const args = ['audit', join(corpus, 'a.jsonl'), join(corpus, 'more', 'b.jsonl'), '--no-prior', '--out', out, '--quiet'];
  const killed = await stopAt(args, 'write:manifest.json');
  t.is(killed.signal, 'SIGKILL', killed.stderr);
  t.true(existsSync(join(out, 'report.json')) && !existsSync(join(out, 'manifest.json')));
  t.regex((await cli(['status', out])).stdout, /^unfinished: /);
  const again = await cli(args);
  t.is(again.code, 0, again.stderr);
  const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
  t.is(manifest.command, 'audit');
  t.deepEqual(manifest.corpora.map((c: { name: string }) => c.name), ['a', 'b']);
  t.regex((await cli(['status', out])).stdout, /^finished \(audit\)/);
  const refused = await cli(args);
  t.is(refused.code, 5);
  t.regex(refused.stderr, /holds a finished run; pass --force/);
});
