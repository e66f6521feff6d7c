import test from 'ava';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './helpers/temp-dir.js';

const run = promisify(execFile);

/** The library example of docs/library.md, as written there. */
async function libraryExample(): Promise<string> {
  const page = await readFile('docs/library.md', 'utf8');
  const block = /```js\n([\s\S]*?)```/.exec(page);
  if (!block) throw new Error('docs/library.md: no js block');
  return block[1];
}

test('npm pack gives a package that installs into an empty folder, where `npx tailguard --help` and the library example of the docs run', async (t) => {
  const dir = await tempDir(t, 'pack');
  // prepack builds dist/ first, so the tarball holds this tree's code.
  const { stdout } = await run('npm', ['pack', '--pack-destination', dir, '--json', '--silent'], { maxBuffer: 64 << 20 });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  const paths = new Set(packed.files.map((f) => f.path));
  for (const f of ['dist/src/cli.js', 'dist/src/index.d.ts', 'pipelines/toedit-ngram.json', 'models/brown-gpt-5m/onnx/decoder_model_merged.onnx', 'models/brown-gpt-5m/SHA256SUMS', 'README.md', 'docs/library.md']) t.true(paths.has(f), f);
  t.false([...paths].some((p) => p.startsWith('test/') || p.startsWith('src/') || p.startsWith('dist/test/')), 'no sources or tests');

  const consumer = join(dir, 'consumer');
  await mkdir(consumer);
  // The override the README tells users to add: npm overrides do not reach consumers.
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', overrides: { sharp: '^0.33.5' } }));
  // And the .npmrc line docs/library.md gives for the optional second backend (no CUDA download).
  await writeFile(join(consumer, '.npmrc'), 'onnxruntime-node-install=skip\n');
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--silent', join(dir, packed.filename)], { cwd: consumer, maxBuffer: 64 << 20 });

  t.true(existsSync(join(consumer, 'node_modules/@huggingface/transformers/package.json')), 'the optional backend installs with the .npmrc line');

  const help = await run('npx', ['--no-install', 'tailguard', '--help'], { cwd: consumer });
  t.regex(help.stdout, /^tailguard: token-level editing/);
  t.regex(help.stdout, /Example:\n {2}tailguard run pipelines\/toedit-ngram\.json/);

  // The trigram prior this repository's tests already trained, so the example does not train it again.
  const trained = '.cache/ngram/brown-train-3gram.tgkn.gz';
  if (existsSync(trained)) {
    await mkdir(join(consumer, '.cache/ngram'), { recursive: true });
    await copyFile(trained, join(consumer, trained));
  }
  await writeFile(join(consumer, 'example.mjs'), await libraryExample());
  const example = await run(process.execPath, ['example.mjs'], { cwd: consumer, maxBuffer: 64 << 20 });
  t.regex(example.stdout, /^selected \d+\.\d% of tokens, gate passed\n/);
  t.is(example.stdout.trim().split('\n').length, 6, 'the summary line and the 5 documents read back');
  t.true(existsSync(join(consumer, 'runs/mine/edited.parquet')));
});
