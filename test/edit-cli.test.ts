import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBrown, wordSpans } from '../src/index.js';
import { collect } from './helpers/brown-prior.js';
import { cli } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

const jsonl = async (path: string) => (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
const brown = (await collect(readBrown('heldout'))).slice(0, 6);

async function brownFile(dir: string): Promise<string> {
  const file = join(dir, 'brown.jsonl');
  await writeFile(file, brown.map((d) => JSON.stringify({ id: d.id, text: d.text })).join('\n') + '\n');
  return file;
}

test('three generations with --locked-from: no position is edited twice, and the manifest counts locked tokens', async (t) => {
  const dir = await tempDir(t, 'generations');
  let input = await brownFile(dir);
  const positions = new Map<string, Set<number>>();
  for (let g = 1; g <= 3; g++) {
    const out = join(dir, `g${g}`);
    const locked = g > 1 ? ['--locked-from', join(dir, `g${g - 1}`, 'edits.jsonl')] : [];
    const r = await cli(['edit', input, '--target-share', '0.125', '--seed', String(g), ...locked, '--out', out, '--quiet']);
    t.is(r.code, 0, r.stderr);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    if (g > 1) {
      t.is(manifest.config.edit.lockedFrom, join(dir, `g${g - 1}`, 'edits.jsonl'));
      // Every position selected so far is locked (positions survive: an edit keeps the word sequence).
      const before = [...positions.values()].reduce((n, s) => n + s.size, 0);
      t.true(manifest.summary.locked >= before * 0.99 && manifest.summary.locked > 0, `generation ${g}: ${manifest.summary.locked} locked, ${before} selected before`);
    }
    t.true(manifest.summary.selected > 0);
    const edited = await jsonl(join(out, 'edited.jsonl'));
    for (const rec of await jsonl(join(out, 'edits.jsonl'))) {
      const seen = positions.get(rec.id) ?? new Set<number>();
      for (const e of rec.edits) {
        if (seen.has(e.position)) t.fail(`${rec.id}: position ${e.position} edited in generation ${g} and before`);
        seen.add(e.position);
      }
      positions.set(rec.id, seen);
    }
    // Word positions are the same in every generation: an edit replaces one word by one word.
    edited.forEach((rec, d) => t.is(wordSpans(rec.text).forms.length, wordSpans(brown[d].text).forms.length));
    input = join(out, 'edited.jsonl');
  }
});

test('edit accepts changed-share, two-sided, protect and --locked-from, records them in the manifest, and lands within 10% of a changed share', async (t) => {
  const dir = await tempDir(t, 'edit-modes');
  const input = await brownFile(dir);
  const pipeline = join(dir, 'pipeline.json');
  const base = JSON.parse(await readFile('pipelines/toedit-ngram.json', 'utf8'));
  base.edit = { ...base.edit, context: 'two-sided', protect: { numbers: true, urls: true, patterns: ['Mr\\.'] } };
  await writeFile(pipeline, JSON.stringify(base));
  const r = await cli(['edit', input, '--pipeline', pipeline, '--changed-share', '0.01', '--out', join(dir, 'a'), '--quiet']);
  t.is(r.code, 0, r.stderr);
  const m = JSON.parse(await readFile(join(dir, 'a', 'manifest.json'), 'utf8'));
  t.deepEqual([m.config.edit.context, m.config.edit.selection.mode, m.config.edit.protect.urls, m.config.edit.protect.patterns], ['two-sided', 'changed-share', true, ['Mr\\.']]);
  t.is(m.selection.calibration.targetShare, 0.01);
  t.true(m.summary.protected > 0);
  const report = JSON.parse(await readFile(join(dir, 'a', 'report.json'), 'utf8'));
  t.is(report.editing.protected, m.summary.protected);
  t.regex(await readFile(join(dir, 'a', 'report.md'), 'utf8'), new RegExp(`never selected: ${m.summary.protected} protected`));
  // Left-only draws change what the calibration expects; two-sided ones see edited neighbours.
  const left = await cli(['edit', input, '--changed-share', '0.01', '--context', 'left', '--out', join(dir, 'b'), '--quiet']);
  t.is(left.code, 0, left.stderr);
  const lm = JSON.parse(await readFile(join(dir, 'b', 'manifest.json'), 'utf8'));
  t.true(Math.abs(lm.summary.changedShare - 0.01) < 0.001, `left: changed ${lm.summary.changedShare}`);
  t.true(lm.summary.selectedShare > 0.01, `selected ${lm.summary.selectedShare}`);
  const locked = await cli(['edit', join(dir, 'b', 'edited.jsonl'), '--locked-from', join(dir, 'b', 'edits.jsonl'), '--p', '0.5', '--out', join(dir, 'c'), '--quiet']);
  t.is(locked.code, 0, locked.stderr);
  t.regex(locked.stdout, /never selected .*locked by an earlier generation/);
});

test('a --locked-from file that is missing or not an edit log exits 3 naming it', async (t) => {
  const dir = await tempDir(t, 'locked-bad');
  const input = await brownFile(dir);
  const missing = await cli(['edit', input, '--locked-from', join(dir, 'nope.jsonl'), '--out', join(dir, 'a'), '--quiet']);
  t.is(missing.code, 3);
  t.regex(missing.stderr, /nope\.jsonl: cannot read the edits of an earlier run/);
  await writeFile(join(dir, 'bad.jsonl'), '{"id":"x","edits":[]}\n{"id":"y"}\n');
  const bad = await cli(['edit', input, '--locked-from', join(dir, 'bad.jsonl'), '--out', join(dir, 'b'), '--quiet']);
  t.is(bad.code, 3);
  t.regex(bad.stderr, /bad\.jsonl:2: not an edits\.jsonl record/);
});
