import test from 'ava';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { loadSimulation, parseSimulation, runSimulation } from '../src/index.js';
import { PALETTE } from '../src/audit/svg-legend.js';
import { CHROMIUM, renderedDom, screenshot } from './helpers/chromium.js';
import { newTempDir, removeTempDir } from './helpers/temp-dir.js';

// The tests' preset, cut to the regimes the page's rules are about: both model families across
// generations (MLE's perplexity is hundreds of times Kneser-Ney's), shares, iterated ToEdit.
const preset = await loadSimulation('test/fixtures/collapse-small.json');
const keep = (r: (typeof preset.regimes)[number]) => r.type === 'replace' || r.type === 'share-sweep' || (r.type === 'toedit' && r.selection.mode === 'calibrated' && r.prior !== 'fixed');
const config = parseSimulation({ ...preset, repeats: 2, regimes: preset.regimes.filter(keep) });
const root = resolve(await newTempDir('sim-html'));
const { results } = await runSimulation(config, { out: join(root, 'sim'), workers: 2 });
const page = join(root, 'sim', 'report.html');
const html = await readFile(page, 'utf8');

test.after.always(() => removeTempDir(root));

/** The charts of one section of the page (from its heading to the next). */
const section = (title: string) => html.slice(html.indexOf(`<h2>${title}</h2>`)).split('<section>')[0];

test('MLE and Kneser-Ney get panels of their own, generations are whole numbers', (t) => {
  const generations = section('Across generations');
  t.regex(generations, /<b>held-out perplexity<\/b>, Kneser-Ney/);
  t.regex(generations, /<b>held-out perplexity<\/b>, MLE/);
  const xTicks = [...generations.matchAll(/<text x="[\d.]+" y="[\d.]+" font-size="12" text-anchor="middle">([^<]+)<\/text>/g)].map((m) => m[1]);
  t.true(xTicks.length > 0);
  t.deepEqual(xTicks.filter((x) => !/^\d+$/.test(x)), [], 'only whole generations');
  const figures = generations.split('<figure>').slice(1);
  const perplexityOf = (family: string) => figures.find((f) => f.includes(`<b>held-out perplexity</b>, ${family}`))!;
  const yTop = (fig: string) => Math.max(...[...fig.matchAll(/text-anchor="end">([\d.]+)(k?)<\/text>/g)].map((m) => Number(m[1]) * (m[2] ? 1000 : 1)));
  const kn = results.regimes.find((r) => r.name === 'replace/kn3')!.curves[0];
  const mle = results.regimes.find((r) => r.name === 'replace/mle2')!.curves[0];
  const knMax = Math.max(...kn.points.map((p) => p.metrics.perplexity!.mean + p.metrics.perplexity!.sd));
  t.true(yTop(perplexityOf('Kneser-Ney')) < 10 * knMax, `the Kneser-Ney axis ends near its own curves (${yTop(perplexityOf('Kneser-Ney'))} for at most ${knMax.toFixed(0)})`);
  t.true(yTop(perplexityOf('MLE')) >= Math.max(...mle.points.map((p) => p.metrics.perplexity!.mean)));
});

test('the table reads in words and percentages; share bands stay above zero', (t) => {
  const table = html.slice(html.indexOf('<table class="sortable">'), html.indexOf('</table>'));
  for (const key of ['typeLoss', 'topMass2', 'sumSquares']) t.false(table.includes(`>${key}<`), `${key} is not a header`);
  t.regex(table, /<th title="[^"]+">types lost<\/th>/);
  const replace = table.slice(table.indexOf('<td>replace/kn3</td>')).split('</tr>')[0];
  const typeLoss = results.regimes.find((r) => r.name === 'replace/kn3')!.curves[0].points.at(-1)!.metrics.typeLoss!.mean;
  t.true(replace.includes(`\u2192 ${(typeLoss * 100).toFixed(2)}%`), 'types lost as a percentage');
  const shares = section('Across generations').split('<figure>').filter((f) => /<b>(types lost|top-k bigram mass|selected share|changed share)<\/b>/.test(f));
  t.true(shares.length >= 4);
  for (const f of shares) t.false(/text-anchor="end">[-\u2212]/.test(f), 'no negative tick on a share axis');
  t.true((html.match(/<polygon class="band"/g) ?? []).length > 0, '± sd bands');
});

test('headless Chromium draws both families\u2019 curves and their bands', async (t) => {
  t.truthy(CHROMIUM, 'chromium is not installed: apt-get install chromium (make test and .ci/run install it)');
  const dom = await renderedDom(page);
  t.true((dom.match(/<svg class="chart"/g) ?? []).length >= 10);
  await mkdir('.cache/test', { recursive: true });
  const png = resolve('.cache/test/simulation.png');
  await screenshot(page, png, 1280, 4000);
  const image = PNG.sync.read(await readFile(png));
  // The first two curve colours of each panel, and their bands (15% of the colour over the plot's #fcfcfc).
  const targets = PALETTE.slice(0, 2).flatMap((c) => {
    const rgb = [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
    return [rgb, rgb.map((v) => Math.round(0.15 * v + 0.85 * 0xfc))];
  });
  const seen = targets.map(() => 0);
  for (let i = 0; i < image.data.length; i += 4) {
    targets.forEach(([r, g, b], k) => {
      if (Math.abs(image.data[i] - r) < 6 && Math.abs(image.data[i + 1] - g) < 6 && Math.abs(image.data[i + 2] - b) < 6) seen[k]++;
    });
  }
  t.true(seen.every((n) => n > 300), `pixels of line, band, line, band: ${seen.join(', ')}`);
});
