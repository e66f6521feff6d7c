import test from 'ava';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readBrown } from '../src/index.js';
import { cli, stopAt, writeJsonlPipeline } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

// A resumed run does not calibrate again: the documents the first part's calibration pass had
// scored are scored afresh, in other batches. With the neural prior that gives the same files only
// because its scores do not depend on what shares a batch, bit for bit (transformers-prior tests
// check that too); this checks the whole path.
test('a neural-prior run killed with SIGKILL and resumed gives the files of an uninterrupted run, byte for byte', async (t) => {
  const dir = await tempDir(t, 'resume-neural');
  const lines: string[] = [];
  for await (const d of readBrown('heldout')) if (lines.length < 8) lines.push(JSON.stringify({ id: d.id, text: d.text.slice(0, 4000) }));
  const { pipeline } = await writeJsonlPipeline(dir, lines, {
    name: 'resume-neural',
    prior: { type: 'transformers', model: 'models/brown-gpt-5m', batchSize: 3 },
    edit: { selection: { mode: 'calibrated', targetShare: 0.125 } },
    synthetic: { enabled: false },
    checkpoint: { everyDocuments: 2 },
    batchSize: 2,
    concurrency: 1,
  });
  const ref = join(dir, 'ref');
  const whole = await cli(['run', pipeline, '--out', ref, '--quiet']);
  t.is(whole.code, 0, whole.stderr);

  const out = join(dir, 'interrupted');
  const killed = await stopAt(['run', pipeline, '--out', out, '--quiet'], 'checkpoint:1');
  t.is(killed.signal, 'SIGKILL', 'killed after its first checkpoint');
  const resumed = await cli(['run', pipeline, '--out', out, '--quiet', '--resume']);
  t.is(resumed.code, 0, resumed.stderr);
  const names = (await readdir(ref)).filter((f) => f.endsWith('.jsonl') || f === 'report.json').sort();
  t.true(names.includes('edited.jsonl') && names.includes('edits.jsonl'));
  for (const f of names) t.true((await readFile(join(ref, f))).equals(await readFile(join(out, f))), `${f} differs`);
});
