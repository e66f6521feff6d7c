import test from 'ava';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { parseComparison, runComparison } from '../src/index.js';
import { brownPrior } from './helpers/brown-prior.js';
import { CHROMIUM, renderedDom, screenshot } from './helpers/chromium.js';
import { newTempDir, removeTempDir } from './helpers/temp-dir.js';

// Sixteen strategies, more than the ten colours a palette of its own would give.
const shares = [0.02, 0.04, 0.06, 0.08, 0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.22, 0.24, 0.26];
const out = resolve(await newTempDir('comparison-html'));
const config = parseComparison({
  name: 'comparison-html',
  input: { format: 'brown', split: 'heldout' },
  limit: 4,
  prior: { type: 'ngram', file: 'unused-when-a-prior-is-given.tgkn.gz' },
  seeds: 2,
  scoreViews: false,
  synthetic: { promptTokens: 16 },
  strategies: [
    ...shares.map((s) => ({ name: `toedit-${s * 100}%`, selection: { mode: 'calibrated', targetShare: s } })),
    { name: 'low-end-10%', selection: { mode: 'calibrated', targetShare: 0.1 }, select: 'below' },
    { name: 'toedit-p0.9', selection: { mode: 'absolute', p: 0.9 } },
    { name: 'random-like-10%', kind: 'random', mirror: 'toedit-10%' },
  ],
});
const { results } = await runComparison(config, { out, prior: await brownPrior() });
const page = join(out, 'comparison.html');
const html = await readFile(page, 'utf8');

test.after.always(() => removeTempDir(out));

test('every strategy that selects is in the legend with a colour and a marker no other strategy has', (t) => {
  const selecting = results.strategies.filter((s) => s.selectedByProbability.some((c) => c > 0));
  t.true(selecting.length >= 15, `${selecting.length} strategies select`);
  const items = html.match(/<g class="legend-item">.*?<\/g>/g) ?? [];
  t.is(items.length, selecting.length);
  const styles = items.map((g) => {
    const color = g.match(/stroke="(#[0-9a-f]{6})"/)![1];
    const shape = g.match(/<(circle|polygon|path) class="marker"(?: points="([^"]*)")?(?: d="([^"]*)")?/)!;
    // A marker's shape: its element and, for polygons, its outline relative to its first point.
    const outline = shape[2] ? shape[2].split(' ').map((p) => p.split(',').map(Number)).map(([x, y], _, all) => `${Math.round(x - all[0][0])},${Math.round(y - all[0][1])}`).join(' ') : '';
    const lines = shape[3] ? (shape[3].match(/[MHVL]/g) ?? []).join('') : '';
    return { color, shape: `${shape[1]} ${outline}${lines}` };
  });
  t.is(new Set(styles.map((s) => s.color)).size, styles.length, 'no colour repeats');
  t.true(new Set(styles.map((s) => s.shape)).size >= 7, `marker shapes: ${[...new Set(styles.map((s) => s.shape))].join(' | ')}`);
  for (const s of selecting) t.true(html.includes(`>${s.name}</text></g>`), `${s.name} is in the legend`);
});

test('the downstream chart: one labelled horizontal bar per corpus with its ± sd, labels one row apart', (t) => {
  const rows = results.strategies.length + 2;
  t.is((html.match(/<rect class="hbar"/g) ?? []).length, rows);
  const withSpread = [results.human, ...results.strategies, results.synthetic].filter((v) => v.downstream.sd > 0).length;
  t.true(withSpread > 0);
  t.is((html.match(/<path class="errorbar"/g) ?? []).length, withSpread);
  const chart = html.slice(html.indexOf('<h2>Downstream check'));
  const labelYs = [...chart.matchAll(/<text x="[\d.]+" y="([\d.]+)" font-size="12" text-anchor="end">/g)].map((m) => Number(m[1]));
  t.is(labelYs.length, rows);
  for (let i = 1; i < labelYs.length; i++) t.true(labelYs[i] - labelYs[i - 1] >= 18, `labels ${i - 1} and ${i} are ${labelYs[i] - labelYs[i - 1]} apart`);
});

test('headless Chromium sorts the table by a clicked column and draws every strategy in its colour', async (t) => {
  t.truthy(CHROMIUM, 'chromium is not installed: apt-get install chromium (make test and .ci/run install it)');
  // Click the last header (downstream perplexity) once the page's own script has run.
  const clicked = join(out, 'clicked.html');
  await writeFile(clicked, html.replace('</body>', "<script>var h=document.querySelectorAll('table.sortable th');h[h.length-1].click()</script></body>"));
  const dom = await renderedDom(clicked);
  const table = dom.slice(dom.indexOf('<table class="sortable"'), dom.indexOf('</table>'));
  const downstream = [...table.matchAll(/<td>([\d.]+) ± [\d.]+<\/td><\/tr>/g)].map((m) => Number(m[1]));
  t.is(downstream.length, results.strategies.length + 2);
  t.deepEqual(downstream, [...downstream].sort((a, b) => a - b), 'rows in ascending order of the clicked column');

  await mkdir('.cache/test', { recursive: true });
  const png = resolve('.cache/test/comparison.png');
  await screenshot(page, png, 1280, 2400);
  const image = PNG.sync.read(await readFile(png));
  const colours = [...new Set((html.match(/<g class="legend-item"><line [^>]*stroke="(#[0-9a-f]{6})"/g) ?? []).map((g) => g.match(/#[0-9a-f]{6}/)![0]))];
  const seen = new Map(colours.map((c) => [c, 0]));
  const rgb = colours.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
  for (let i = 0; i < image.data.length; i += 4) {
    rgb.forEach(([r, g, b], k) => {
      if (Math.abs(image.data[i] - r) < 8 && Math.abs(image.data[i + 1] - g) < 8 && Math.abs(image.data[i + 2] - b) < 8) seen.set(colours[k], seen.get(colours[k])! + 1);
    });
  }
  for (const [c, n] of seen) t.true(n >= 30, `${c}: ${n} pixels on screen`);
});
