// The second transformers backend (prior.backend "huggingface"): the shipped model run by
// @huggingface/transformers (onnxruntime-node 1.30) must give what the default backend
// (@xenova/transformers, onnxruntime-node 1.14) gives, through the library and through the CLI.
import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBrown, TailguardError, type TokenizedText, TransformersPrior } from '../src/index.js';
import { loadHuggingfacePrior } from '../src/prior/huggingface/index.js';
import { openPrior } from '../src/prior/open.js';
import { cli, startNode, writeJsonlPipeline } from './helpers/cli.js';
import { FAMILIES, readReference } from './helpers/families.js';
import { tempDir } from './helpers/temp-dir.js';

const MODEL = 'models/brown-gpt-5m';
/**
 * Two onnxruntime builds (1.14 and 1.30) run the same fp32 graph with different kernels, so their
 * sums round differently: about 2e-5 nats apart on held-out text. 1e-4 is the bound the two
 * backends are held to; a wrong position, mask or cache would be off by whole nats.
 */
const TOLERANCE = 1e-4;

let xenova: TransformersPrior;
let huggingface: TransformersPrior;
let docs: TokenizedText[];

test.before(async () => {
  xenova = await TransformersPrior.load({ model: MODEL });
  huggingface = await loadHuggingfacePrior({ model: MODEL });
  const texts: string[] = [];
  for await (const d of readBrown('heldout')) if (texts.length < 4) texts.push(d.text);
  docs = texts.map((text) => xenova.tokenize(text));
});

test.after.always(async () => {
  await xenova?.dispose();
  await huggingface?.dispose();
});

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => (a.length === b.length ? Array.from(a).reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0) : Infinity);

test('the manifest says which backend and device ran the model; weights, tokens and windows are the same', (t) => {
  t.is(huggingface.identity.details?.backend, 'huggingface');
  t.is(huggingface.identity.details?.device, 'cpu');
  t.is(xenova.identity.details?.backend, 'xenova');
  t.is(huggingface.identity.sha256, xenova.identity.sha256);
  t.is(huggingface.identity.details?.checksums, 'verified');
  t.deepEqual(huggingface.tokenize('The jury said it did find that many of the voters.'), xenova.tokenize('The jury said it did find that many of the voters.'));
});

test('Brown held-out documents (windows of long documents included) score the same through both backends within 1e-4', async (t) => {
  t.true(docs.every((d) => d.ids.length > 2 * xenova.identity.contextSize), 'every document needs several windows');
  const options = { topK: 8, moments: true };
  const [a, b] = [await xenova.score(docs, options), await huggingface.score(docs, options)];
  let positions = 0;
  let rankSwaps = 0;
  a.forEach((x, d) => {
    const y = b[d];
    t.true(maxDiff(x.logProb, y.logProb) < TOLERANCE, `document ${d}: log-probabilities ${maxDiff(x.logProb, y.logProb)} apart`);
    t.true(maxDiff(x.entropy, y.entropy) < TOLERANCE, `document ${d}: entropies ${maxDiff(x.entropy, y.entropy)} apart`);
    t.true(maxDiff(x.logProbVariance!, y.logProbVariance!) < TOLERANCE, `document ${d}: variances apart`);
    t.true(maxDiff(x.topLogProbs, y.topLogProbs) < TOLERANCE, `document ${d}: candidate log-probabilities apart`);
    positions += x.rank.length;
    // Ranks are counts of strictly larger entries: two entries 2e-5 apart may swap, nothing more.
    x.rank.forEach((r, i) => {
      t.true(Math.abs(r - y.rank[i]) <= 1, `document ${d}, position ${i}: rank ${r} vs ${y.rank[i]}`);
      if (r !== y.rank[i]) rankSwaps++;
    });
  });
  t.true(rankSwaps < positions / 1000, `${rankSwaps} of ${positions} ranks differ`);
});

test('decoding over the key/value cache gives the same next-token distributions through both backends', async (t) => {
  const prompts = docs.slice(0, 4).map((d, i) => d.ids.slice(0, 16 + 5 * i)); // left padding of different widths
  const [a, b] = [await xenova.beginDecoding(prompts), await huggingface.beginDecoding(prompts)];
  for (let step = 0; step < 12; step++) {
    const [da, db] = [await a.next(), await b.next()];
    // The same token for both: the most probable under the default backend, among ids spread over the vocabulary.
    const tokens = da.map((dist) => [...Array(64).keys()].map((k) => k * 127).reduce((best, id) => (dist.logProb(id) > dist.logProb(best) ? id : best), 0));
    da.forEach((dist, r) => {
      for (let id = 0; id < xenova.identity.vocabSize; id += 97) {
        t.true(Math.abs(dist.logProb(id) - db[r].logProb(id)) < TOLERANCE, `step ${step}, row ${r}, id ${id}`);
      }
    });
    await a.push(tokens);
    await b.push(tokens);
  }
  await a.close();
  await b.close();
});

test('a device the machine does not have is a config error that names it; a device without the huggingface backend too', async (t) => {
  // onnxruntime-node supports cuda on Linux x64, but the project's .npmrc skips its CUDA binaries.
  const cuda = await t.throwsAsync(loadHuggingfacePrior({ model: MODEL, device: 'cuda' }), { instanceOf: TailguardError });
  t.is((cuda as TailguardError).code, 'config');
  t.regex(cuda!.message, /^prior\.device "cuda" is not available on this machine: .+onnxruntime-node-install=skip.+Use "device": "cpu"/);
  const unknown = await t.throwsAsync(loadHuggingfacePrior({ model: MODEL, device: 'tpu' }), { instanceOf: TailguardError });
  t.regex(unknown!.message, /^prior\.device "tpu" is not available on this machine: Unsupported device: "tpu"\. Should be one of: .*cpu/);
  const xenovaDevice = await t.throwsAsync(openPrior({ type: 'transformers', model: MODEL, allowRemote: false, quantized: false, batchSize: 16, backend: 'xenova', device: 'cuda' }, () => {}), { instanceOf: TailguardError });
  t.is((xenovaDevice as TailguardError).code, 'config');
  t.regex(xenovaDevice!.message, /needs "backend": "huggingface"/);
});

test('loading through the huggingface backend prints nothing, not even when the device fails', async (t) => {
  const code = `
    import { loadHuggingfacePrior } from './src/prior/huggingface/index.ts';
    const prior = await loadHuggingfacePrior({ model: '${MODEL}' });
    await prior.dispose();
    await loadHuggingfacePrior({ model: '${MODEL}', device: 'cuda' }).catch((e) => console.log('refused: ' + e.code));`;
  const { stdout, stderr, code: exit } = await startNode(['--input-type=module', '-e', code]).done;
  t.is(exit, 0, stderr);
  t.is(stdout, 'refused: config\n');
  t.is(stderr, '');
});

test('tailguard score, and a run that edits and generates, work with "backend": "huggingface" and write what the default backend writes', async (t) => {
  const dir = await tempDir(t, 'huggingface-cli');
  const lines: string[] = [];
  for await (const d of readBrown('heldout')) if (lines.length < 3) lines.push(JSON.stringify({ id: d.id, text: d.text.slice(0, 1500) }));
  const prior = { type: 'transformers', model: MODEL, batchSize: 4 };
  const settings = { edit: { selection: { mode: 'absolute', p: 0.5 } }, synthetic: { promptTokens: 16 }, audit: { enabled: false } };
  const { input, pipeline: hf } = await writeJsonlPipeline(dir, lines, { name: 'hf', prior: { ...prior, backend: 'huggingface' }, ...settings });
  const xenovaPipeline = join(dir, 'xenova.json');
  await writeFile(xenovaPipeline, JSON.stringify({ name: 'xenova', input: { format: 'jsonl', path: input }, prior, ...settings }));
  const outputs = async (command: 'score' | 'run', files: string[]) => {
    const found: string[][] = [];
    for (const [name, pipeline] of [['hf', hf], ['xenova', xenovaPipeline]]) {
      const out = join(dir, `${command}-${name}`);
      const args = command === 'score' ? ['score', input, '--pipeline', pipeline] : ['run', pipeline];
      const run = await cli([...args, '--out', out, '--quiet']);
      t.is(run.code, 0, `${command} with ${name}: ${run.stderr}`);
      found.push(await Promise.all(files.map((f) => readFile(join(out, f), 'utf8'))));
    }
    return found;
  };
  // Probabilities (p = exp(log p), written to 6 digits) of the same tokens.
  const [[hfScores], [xenovaScores]] = await outputs('score', ['scores.jsonl']);
  const ps = (o: string) => o.trim().split('\n').map((l) => (JSON.parse(l) as { tokens: Array<{ p: number }> }).tokens.map((x) => x.p));
  const [a, b] = [ps(hfScores), ps(xenovaScores)];
  t.is(a.length, lines.length);
  a.forEach((doc, d) => t.true(doc.length > 100 && doc.length === b[d].length && maxDiff(doc, b[d]) < TOLERANCE, `scores.jsonl, document ${d}`));
  // Edits and samples are drawn with the same seed from distributions 2e-5 apart: the same text,
  // the same edits; only the p each edit logs (6 digits) may differ in its last digit.
  const files = ['edited.jsonl', 'synthetic.jsonl', 'edits.jsonl'];
  const [hfRun, xenovaRun] = await outputs('run', files);
  files.forEach((f, i) => t.true(hfRun[i].trim().length > 0, `${f} is empty`));
  t.is(hfRun[0], xenovaRun[0], 'edited.jsonl differs between the backends');
  t.is(hfRun[1], xenovaRun[1], 'synthetic.jsonl differs between the backends');
  const logged: number[][] = [[], []];
  const withoutP = (o: string, k: number) => o.replace(/"p":([0-9.e-]+)/g, (_, p: string) => (logged[k].push(Number(p)), '"p":_'));
  t.is(withoutP(hfRun[2], 0), withoutP(xenovaRun[2], 1), 'edits.jsonl: other edits');
  t.true(logged[0].length > 10 && maxDiff(logged[0], logged[1]) < TOLERANCE, 'edits.jsonl: the logged probabilities');
});

// The test models of each family (test/fixtures/models, made by tools/model/families).
for (const f of FAMILIES) {
  test(`${f.name}: the huggingface backend gives PyTorch's log-probabilities within 1e-3 and the default backend's within 1e-4`, async (t) => {
    const [hf, x] = [await loadHuggingfacePrior({ model: f.folder }), await TransformersPrior.load({ model: f.folder })];
    t.teardown(async () => {
      await hf.dispose();
      await x.dispose();
    });
    t.true(hf.identity.details?.checksums === 'verified' && hf.identity.sha256 === x.identity.sha256);
    const ref = await readReference(f);
    const all = [...ref.texts, ...ref.documents];
    const docs = all.map((r) => ({ ids: Int32Array.from(r.ids), starts: new Int32Array(r.ids.length), ends: new Int32Array(r.ids.length) }));
    t.true(all.some((r) => r.ids.length > hf.identity.contextSize), 'a reference document spans several windows');
    const [a, b] = [await hf.score(docs, { topK: 0 }), await x.score(docs, { topK: 0 })];
    all.forEach((r, d) => {
      t.true(maxDiff(a[d].logProb, r.logProbs) < 1e-3, `text ${d}: ${maxDiff(a[d].logProb, r.logProbs)} from PyTorch`);
      t.true(maxDiff(a[d].logProb, b[d].logProb) < TOLERANCE, `text ${d}: ${maxDiff(a[d].logProb, b[d].logProb)} from the default backend`);
    });
  });
}

test('tailguard score runs each family test model through the huggingface backend from the command line, exit 0', async (t) => {
  const dir = await tempDir(t, 'huggingface-families');
  for (const f of FAMILIES) {
    const pipeline = join(dir, `${f.name}.json`);
    await writeFile(pipeline, JSON.stringify({ name: f.name, input: { format: 'brown', split: 'heldout' }, prior: { type: 'transformers', model: f.folder, backend: 'huggingface' } }));
    const out = join(dir, f.name);
    const run = await cli(['score', 'brown:heldout', '--pipeline', pipeline, '--limit', '1', '--out', out, '--quiet']);
    t.is(run.code, 0, `${f.name}: ${run.stderr}`);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as { prior: { details: { backend: string; modelType: string } } };
    t.deepEqual([manifest.prior.details.backend, manifest.prior.details.modelType], ['huggingface', f.modelType], f.name);
  }
});
