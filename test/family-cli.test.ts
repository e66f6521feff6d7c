import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBrown } from '../src/index.js';
import { cli } from './helpers/cli.js';
import { FAMILIES } from './helpers/families.js';
import { tempDir } from './helpers/temp-dir.js';

/** Each family's test model from the command line, as a user points Tailguard at a downloaded model folder. */

let corpus: Array<{ id: string; text: string }>;

test.before(async () => {
  corpus = [];
  // Three held-out documents, cut to a few windows each: enough for every stage, quick on 2 cores.
  for await (const doc of readBrown('heldout')) if (corpus.length < 3) corpus.push({ id: doc.id, text: doc.text.slice(0, 1500) });
});

async function readJsonl(file: string): Promise<Array<Record<string, unknown>>> {
  return (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

for (const f of FAMILIES) {
  test(`${f.name}: tailguard score, edit and generate --model ${f.folder} run end to end`, async (t) => {
    const dir = await tempDir(t, `family-cli-${f.name}`);
    const input = join(dir, 'corpus.jsonl');
    await writeFile(input, corpus.map((d) => JSON.stringify(d)).join('\n') + '\n');

    const score = await cli(['score', input, '--model', f.folder, '--out', join(dir, 'score'), '--quiet']);
    t.is(score.code, 0, score.stderr);
    const manifest = JSON.parse(await readFile(join(dir, 'score', 'manifest.json'), 'utf8')) as { prior: { identity?: { details?: Record<string, unknown> }; details?: Record<string, unknown> } };
    t.regex(JSON.stringify(manifest), new RegExp(`"modelType":"${f.modelType}"`));
    const scores = await readJsonl(join(dir, 'score', 'scores.jsonl'));
    t.is(scores.length, corpus.length);

    const edit = await cli(['edit', input, '--model', f.folder, '--out', join(dir, 'edit'), '--quiet']);
    t.is(edit.code, 0, edit.stderr);
    const edited = await readJsonl(join(dir, 'edit', 'edited.jsonl'));
    t.is(edited.length, corpus.length);
    t.true(edited.some((e, i) => e.text !== corpus[i].text), 'the pipeline calibrates p to change 1% of the tokens: some text changes');

    const generate = await cli(['generate', input, '--model', f.folder, '--out', join(dir, 'generate'), '--quiet']);
    t.is(generate.code, 0, generate.stderr);
    const synthetic = await readJsonl(join(dir, 'generate', 'synthetic.jsonl'));
    t.is(synthetic.length, corpus.length);
    for (const s of synthetic) {
      t.true(typeof s.text === 'string' && s.text.length > 100);
      // Control tokens are never written: the text holds no BOS/EOS spelled out.
      for (const token of [f.bos, ...f.eos]) t.false((s.text as string).includes(token), `${token} in synthetic text`);
    }
  });

  test(`${f.name}: tailguard detect --priors neural --model ${f.folder} runs end to end`, async (t) => {
    const dir = await tempDir(t, `family-detect-${f.name}`);
    const target = join(dir, 'target.jsonl');
    await writeFile(target, corpus.map((d) => JSON.stringify(d)).join('\n') + '\n');
    const r = await cli(['detect', target, '--priors', 'neural', '--model', f.folder, '--segment-chars', '600', '--segments-per-doc', '1', '--bootstrap', '20', '--out', join(dir, 'detect'), '--quiet']);
    t.is(r.code, 0, r.stderr);
    const report = JSON.parse(await readFile(join(dir, 'detect', 'report.json'), 'utf8')) as Record<string, unknown>;
    t.truthy(report.contamination);
  });
}
