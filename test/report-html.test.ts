import test from 'ava';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { niceScale } from '../src/audit/svg.js';
import { parsePipeline, runPipeline } from '../src/index.js';
import { SAMPLE_DOCS } from '../src/pipeline/token-sample.js';
import { brownPrior } from './helpers/brown-prior.js';
import { CHROMIUM, renderedDom, screenshot } from './helpers/chromium.js';
import { newTempDir, removeTempDir } from './helpers/temp-dir.js';

const out = resolve(await newTempDir('html'));
const config = parsePipeline({
  name: 'html',
  input: { format: 'brown', split: 'heldout' },
  limit: 4,
  prior: { type: 'ngram' },
  edit: { selection: { mode: 'calibrated', targetShare: 0.125 } },
});
await runPipeline(config, { out, prior: await brownPrior(), progress: false });
const page = join(out, 'report.html');
const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));

test.after.always(() => removeTempDir(out));

test('report.html is self-contained: inline scripts only, no external resources', async (t) => {
  const html = await readFile(page, 'utf8');
  t.false(/<script[^>]*\ssrc=|<link|src="http|url\(http/i.test(html));
  t.regex(html, /<svg class="chart"[^>]* viewBox="0 0 \d+ \d+"/);
});

test('the top of report.html says what the editing did and what the gate checked', async (t) => {
  const html = await readFile(page, 'utf8');
  const top = html.slice(0, html.indexOf('Metrics per view'));
  const e = report.editing;
  t.regex(top, /class="edit-summary"/);
  t.true(top.includes(`${((e.selected / e.tokens) * 100).toFixed(2)}%</b><span>selected (${e.selected.toLocaleString('en')} of ${e.tokens.toLocaleString('en')} tokens)`), 'selected share and count');
  t.true(top.includes(`${((e.changed / e.tokens) * 100).toFixed(2)}%</b><span>changed`), 'changed share');
  t.regex(top, /calibrated to select 12\.50% of tokens/);
  t.regex(top, /kneser-ney-3gram/);
  const rows = top.match(/<tr class="(pass|fail)">/g) ?? [];
  t.is(rows.length, report.gate.checks.length, 'one row per gate check');
  t.true(report.gate.checks.length > 0);
  t.regex(top, /share of human word types lost <code>maxTypeLoss<\/code><\/td><td>[\d.-]+<\/td><td>\u2264 0\.12<\/td><td class="verdict">(pass|FAIL)/);
});

test('the token view holds every sampled document behind a picker, and frames punctuation edits', async (t) => {
  const html = await readFile(page, 'utf8');
  t.is(report.samples.length, Math.min(SAMPLE_DOCS, 4));
  t.is((html.match(/<option value="\d+">/g) ?? []).length, report.samples.length);
  t.is((html.match(/<div class="doc" data-doc="\d+" hidden>/g) ?? []).length, report.samples.length - 1, 'one document shown at a time');
  const notWord = (s: string) => s.trim() !== '' && !/[\p{L}\p{N}]/u.test(s);
  const punctEdits = report.samples.flatMap((s: { pieces: { text: string; replacement?: string }[] }) => s.pieces).filter((p: { text: string; replacement?: string }) => p.replacement !== undefined && (notWord(p.text) || notWord(p.replacement)));
  // The key draws one framed example; every punctuation edit of the documents is framed too.
  t.is((html.match(/class="[^"]*\bpunct\b/g) ?? []).length, punctEdits.length + 1);
  t.regex(html, /<div class="key">/);
});

test('ticks fall on round values: 1-2-5 (or 1-9 within a short range) on log axes, whole numbers when asked', (t) => {
  const all = Object.values(report.charts.perplexity as Record<string, number[]>).flat();
  const s = niceScale(Math.min(...all), Math.max(...all), { log: true, maxTicks: 15 });
  t.true(s.lo <= Math.min(...all) && s.hi >= Math.max(...all), 'the domain covers the data');
  for (const v of s.ticks) t.is(Number((v / 10 ** Math.floor(Math.log10(v) + 1e-9)).toPrecision(6)) % 1, 0, `${v} is a digit times a power of ten`);
  const ranks = report.charts.rankFrequency.human.map(([r]: [number]) => r);
  const wide = niceScale(1, Math.max(...ranks), { log: true, maxTicks: 15 });
  t.true(wide.ticks.every((v) => [1, 2, 5].includes(Number((v / 10 ** Math.floor(Math.log10(v) + 1e-9)).toPrecision(6)))), `1-2-5 over decades: ${wide.ticks.join(' ')}`);
  const generations = niceScale(0, 3, { integer: true, maxTicks: 10 });
  t.deepEqual(generations.ticks, [0, 1, 2, 3]);
  const share = niceScale(0, Math.max(...report.views.human.probShares), { maxTicks: 8 });
  const step = share.ticks[1] - share.ticks[0];
  t.true([1, 2, 5].includes(Number((step / 10 ** Math.floor(Math.log10(step))).toPrecision(6))), `linear step ${step}`);
});

test('headless Chromium renders the charts at the page width and the token view; the screenshot is not blank', async (t) => {
  t.truthy(CHROMIUM, 'chromium is not installed: apt-get install chromium (make test and .ci/run install it)');
  const dom = await renderedDom(page);
  t.true((dom.match(/<svg class="chart"/g) ?? []).length >= 5, 'perplexity, rank-frequency, concentration, probability and rank charts');
  t.true((dom.match(/<polyline class="series"[^>]* points="[\d., -]{20,}/g) ?? []).length >= 9, 'three views in each line chart');
  t.true((dom.match(/<rect class="bar"/g) ?? []).length >= 3 * (10 + 4), 'bars for every view and bin');
  t.regex(dom, /<div class="doc" data-doc="0">/, 'the first document is shown');
  t.regex(dom, /<del>[^<]*<\/del><ins>/, 'edits are highlighted');

  await mkdir('.cache/test', { recursive: true });
  const png = resolve('.cache/test/report.png');
  await screenshot(page, png);
  const image = PNG.sync.read(await readFile(png));
  let inked = 0;
  const lineColours = { human: 0, synthetic: 0 };
  let [left, right] = [image.width, 0];
  for (let i = 0; i < image.data.length; i += 4) {
    const [r, g, b] = [image.data[i], image.data[i + 1], image.data[i + 2]];
    if (r < 240 || g < 240 || b < 240) inked++;
    if (Math.abs(r - 0x1f) < 30 && Math.abs(g - 0x77) < 30 && Math.abs(b - 0xb4) < 30) {
      lineColours.human++;
      const x = (i / 4) % image.width;
      [left, right] = [Math.min(left, x), Math.max(right, x)];
    }
    if (Math.abs(r - 0xd6) < 30 && Math.abs(g - 0x27) < 30 && Math.abs(b - 0x28) < 30) lineColours.synthetic++;
  }
  const share = inked / (image.width * image.height);
  t.true(share > 0.05, `only ${(share * 100).toFixed(1)}% of the page is not white`);
  t.true(lineColours.human > 500 && lineColours.synthetic > 500, `chart colours on screen: ${JSON.stringify(lineColours)}`);
  // The human line runs from the left of the plots to their right: the charts span the page, not a third of it.
  t.true(right - left > 0.6 * image.width, `the human series spans x ${left}-${right} of ${image.width} px`);
});
