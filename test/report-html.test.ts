import test from 'ava';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { parsePipeline, runPipeline } from '../src/index.js';
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

test.after.always(() => removeTempDir(out));

test('report.html is self-contained: no scripts, no external resources', async (t) => {
  const html = await readFile(page, 'utf8');
  t.false(/<script|<link|src="http|url\(http/i.test(html));
  t.regex(html, /<svg class="chart"/);
});

test('headless Chromium renders the charts and the token view; the screenshot is not blank', async (t) => {
  t.truthy(CHROMIUM, 'chromium is not installed: apt-get install chromium (make test and .ci/run install it)');
  const dom = await renderedDom(page);
  t.true((dom.match(/<svg class="chart"/g) ?? []).length >= 5, 'perplexity, rank-frequency, concentration, probability and rank charts');
  t.true((dom.match(/<polyline class="series"[^>]* points="[\d., -]{20,}/g) ?? []).length >= 9, 'three views in each line chart');
  t.true((dom.match(/<rect class="bar"/g) ?? []).length >= 3 * (10 + 4), 'bars for every view and bin');
  t.regex(dom, /<div class="doc">/);
  t.regex(dom, /<del>[^<]*<\/del><ins>/, 'edits are highlighted');

  await mkdir('.cache/test', { recursive: true });
  const png = resolve('.cache/test/report.png');
  await screenshot(page, png);
  const image = PNG.sync.read(await readFile(png));
  let inked = 0;
  const lineColours = { human: 0, synthetic: 0 };
  for (let i = 0; i < image.data.length; i += 4) {
    const [r, g, b] = [image.data[i], image.data[i + 1], image.data[i + 2]];
    if (r < 240 || g < 240 || b < 240) inked++;
    if (Math.abs(r - 0x1f) < 30 && Math.abs(g - 0x77) < 30 && Math.abs(b - 0xb4) < 30) lineColours.human++;
    if (Math.abs(r - 0xd6) < 30 && Math.abs(g - 0x27) < 30 && Math.abs(b - 0x28) < 30) lineColours.synthetic++;
  }
  const share = inked / (image.width * image.height);
  t.true(share > 0.05, `only ${(share * 100).toFixed(1)}% of the page is not white`);
  t.true(lineColours.human > 500 && lineColours.synthetic > 500, `chart colours on screen: ${JSON.stringify(lineColours)}`);
});
