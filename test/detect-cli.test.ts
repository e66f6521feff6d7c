import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { auroc, createRng, estimateMixture, readBrown, segmentText } from '../src/index.js';
import { binomialUpper, thresholdAtFpr } from '../src/detect/detector.js';
import { atLeastBinomial } from '../src/detect/estimate.js';
import * as api from '../src/index.js';
import { cli } from './helpers/cli.js';
import { tempDir } from './helpers/temp-dir.js';

function normals(n: number, mean: number, seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => mean + Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next()));
}

test('AUROC is the Mann-Whitney probability, ties counting one half', (t) => {
  t.is(auroc([3, 4], [1, 2]), 1);
  t.is(auroc([1, 2], [3, 4]), 0);
  t.is(auroc([1, 3], [2, 2]), 0.5);
  t.is(auroc([2], [2]), 0.5);
});

test('the mixture estimate recovers known shares of two Gaussians', (t) => {
  const human = normals(400, 0, 1);
  const synthetic = normals(400, 3, 2);
  for (const share of [0, 0.1, 0.4]) {
    const k = Math.round(share * 500);
    const target = [...normals(500 - k, 0, 3), ...normals(k, 3, 4)];
    const { share: got } = estimateMixture(target, human, synthetic);
    t.true(Math.abs(got - share) < 0.05, `share ${share}: estimated ${got}`);
  }
});

test('the threshold flags at most the asked share of human scores; Clopper-Pearson bound', (t) => {
  const human = Array.from({ length: 100 }, (_, i) => i);
  const thr = thresholdAtFpr(human, 0.05);
  t.is(human.filter((x) => x > thr).length, 5);
  t.true(Math.abs(binomialUpper(0, 20, 0.95) - (1 - 0.05 ** (1 / 20))) < 1e-9);
});

test('segments end at whitespace, keep the text, and drop a short tail', (t) => {
  const text = 'alpha beta gamma delta epsilon zeta eta theta iota kappa';
  const segs = segmentText('d', text, 20, 0);
  t.true(segs.every((s) => text.includes(s.text) && s.text.length >= 10));
  t.deepEqual(segs.map((s) => s.id), segs.map((_, i) => `d#${i}`));
  t.is(segs.map((s) => s.text).join(' '), text.slice(0, text.indexOf(segs.at(-1)!.text) + segs.at(-1)!.text.length));
  t.is(segmentText('d', text, 20, 1).length, 1);
});

test('the public API exports detection', (t) => {
  for (const name of ['runDetect', 'parseDetect', 'calibrateDetector', 'estimateContamination', 'scoreFeatures', 'auroc', 'DETECT_FEATURES']) t.truthy((api as Record<string, unknown>)[name], name);
});

test('tailguard detect with the n-gram prior alone: summary, per-document JSONL with ids and meta, reports', async (t) => {
  const dir = await tempDir(t, 'detect');
  const docs: { id: string; text: string }[] = [];
  for await (const d of readBrown('heldout')) docs.push(d);
  // --text-field and --id-field apply to every file argument.
  const reference = docs.slice(0, 16).map((d) => ({ doc: d.id, body: d.text.slice(0, 4000) }));
  const target = docs.slice(16, 26).map((d, i) => ({ doc: `t${i}`, body: segmentText(d.id, d.text, 800, 1)[0].text, source: d.id }));
  await writeFile(join(dir, 'reference.jsonl'), reference.map((r) => JSON.stringify(r)).join('\n') + '\n');
  await writeFile(join(dir, 'target.jsonl'), target.map((r) => JSON.stringify(r)).join('\n') + '\n{"doc": "t-empty", "body": "  "}\n');
  const out = join(dir, 'out');
  const args = ['detect', join(dir, 'target.jsonl'), '--reference', join(dir, 'reference.jsonl'), '--priors', 'ngram', '--segment-chars', '800', '--segments-per-doc', '1', '--bootstrap', '50', '--text-field', 'body', '--id-field', 'doc', '--out', out];
  const r = await cli(args);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /synthetic share +\d+\.\d% \[\d+\.\d%, \d+\.\d%\]/);
  t.regex(r.stdout, /held-out human +FPR/);
  const rows = (await readFile(join(out, 'detections.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  t.deepEqual(rows.map((x) => x.id), target.map((x) => x.doc));
  t.deepEqual(rows[0].meta, { source: target[0].source });
  t.true(rows.every((x) => ['human', 'synthetic'].includes(x.label) && Number.isFinite(x.score) && x.posterior >= 0 && x.posterior <= 1 && Number.isFinite(x.features['ngram.curvature'])));
  t.is((await readFile(join(out, 'rejects.jsonl'), 'utf8')).trim().split('\n').length, 1);
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
  t.is(report.contamination.documents, 10);
  t.true(report.detector.feature.startsWith('ngram.'));
  t.regex(await readFile(join(out, 'report.html'), 'utf8'), /<svg[^>]*>.*human reference.*synthetic.*target/s);
  t.regex(await readFile(join(out, 'report.md'), 'utf8'), /## AUROC per feature/);
  t.is((await cli(args)).code, 5, 'a finished detection is not overwritten without --force');
});

test('tailguard detect --help has an example; bad flags are configuration errors', async (t) => {
  const help = await cli(['detect', '--help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /Example:\n +tailguard detect /);
  t.is((await cli(['detect', 'x.jsonl', '--fpr', '2'])).code, 2);
  t.is((await cli(['detect', 'x.jsonl', '--priors', 'gpt'])).code, 2);
  t.is((await cli(['detect', 'x.jsonl', '--bogus'])).code, 2);
});

test('tailguard detect on three short human sentences refuses to estimate, saying why and what length would work; at that length the interval shows how little three documents tell', async (t) => {
  const dir = await tempDir(t, 'detect-short');
  const sentences: { id: string; text: string }[] = [];
  for await (const d of readBrown('heldout')) if (sentences.length < 3) sentences.push({ id: d.id, text: d.text.split(/(?<=[.!?])\s+/).find((s) => s.length > 40 && s.length < 200)! });
  const target = join(dir, 'three.jsonl');
  await writeFile(target, sentences.map((s) => JSON.stringify(s)).join('\n') + '\n');
  const args = ['detect', target, '--priors', 'ngram', '--bootstrap', '100', '--quiet'];
  const r = await cli([...args, '--out', join(dir, 'refused')]);
  t.is(r.code, 3, r.stderr);
  t.notRegex(r.stdout, /100\.0% \[100\.0%, 100\.0%\]/);
  const advice = /too little text per document to estimate a synthetic share: a median of (\d+) characters, under a quarter of the \d+-character reference segments.*; rerun with --segment-chars (\d+)/.exec(r.stderr);
  t.truthy(advice, r.stderr);
  const ok = await cli([...args, '--segment-chars', advice![2], '--out', join(dir, 'short')]);
  t.is(ok.code, 0, ok.stderr);
  const report = JSON.parse(await readFile(join(dir, 'short', 'report.json'), 'utf8'));
  for (const e of [report.contamination.mixture, report.contamination.adjusted]) t.true(e.high - e.low > 0.5, `${JSON.stringify(e)}: three documents cannot pin a share down`);
});

test('a share interval is never narrower than the binomial one of its document count', (t) => {
  t.deepEqual(atLeastBinomial({ low: 0, high: 0 }, 0, 3, 0.95), { low: 0, high: binomialUpper(0, 3, 0.975) });
  t.true(Math.abs(atLeastBinomial({ low: 1, high: 1 }, 1, 3, 0.95).low - (1 - binomialUpper(0, 3, 0.975))) < 1e-12);
  t.deepEqual(atLeastBinomial({ low: 0.05, high: 0.6 }, 0.3, 1000, 0.95), { low: 0.05, high: 0.6 }, 'a wider bootstrap interval is kept');
});
