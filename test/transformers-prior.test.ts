import test from 'ava';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AutoTokenizer, env } from '@xenova/transformers';
import { createRng, readBrown, sampleDense, TailguardError, type TokenizedText, TransformersPrior } from '../src/index.js';
import { planWindows } from '../src/prior/transformers/index.js';
import { maxDiff } from './helpers/families.js';
import { tempDir } from './helpers/temp-dir.js';

const MODEL = 'models/brown-gpt-5m';
const FILES = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/decoder_model_merged.onnx'];

interface Reference {
  texts: Array<{ name: string; text: string; ids: number[]; logProbs: number[] }>;
}

let prior: TransformersPrior;
let heldout: Array<{ id: string; text: string }>;

test.before(async () => {
  prior = await TransformersPrior.load({ model: MODEL });
  heldout = [];
  for await (const doc of readBrown('heldout')) heldout.push({ id: doc.id, text: doc.text });
});

test.after.always(async () => {
  await prior?.dispose();
});


function slice(doc: TokenizedText, n: number): TokenizedText {
  return { ids: doc.ids.slice(0, n), starts: doc.starts.slice(0, n), ends: doc.ends.slice(0, n) };
}

test('identity names the model, its onnx sha256, vocabulary and context', async (t) => {
  const { identity } = prior;
  t.is(identity.type, 'transformers');
  t.is(identity.name, 'brown-gpt-5m');
  t.regex(identity.sha256, /^[0-9a-f]{64}$/);
  t.is(identity.vocabSize, 8192);
  t.is(identity.contextSize, 256);
});

test('log-probabilities match the PyTorch reference within 1e-3', async (t) => {
  const ref = JSON.parse(await readFile('test/fixtures/model-reference.json', 'utf8')) as Reference;
  t.true(ref.texts.length >= 2);
  const docs = ref.texts.map((r) => prior.tokenize(r.text));
  const scores = await prior.score(docs, { topK: 4 });
  ref.texts.forEach((r, d) => {
    t.deepEqual(Array.from(docs[d].ids), r.ids, `${r.name}: token ids`);
    t.is(scores[d].logProb.length, r.logProbs.length);
    const diff = maxDiff(scores[d].logProb, r.logProbs);
    t.true(diff < 1e-3, `${r.name}: max |diff| ${diff}`);
  });
});

test('a document scores the same alone and inside a padded batch', async (t) => {
  const target = prior.tokenize(heldout[3].text.split('\n\n').slice(0, 3).join('\n\n'));
  const shorter = prior.tokenize('A short one.');
  const longer = prior.tokenize(heldout[7].text); // several windows
  t.true(longer.ids.length > 2 * prior.identity.contextSize);
  const [alone] = await prior.score([target], { topK: 5 });
  const batched = await prior.score([longer, target, shorter], { topK: 5 });
  const inBatch = batched[1];
  // Bit for bit, not just close: a resumed run re-scores in other batches and must edit the same.
  t.deepEqual(alone.logProb, inBatch.logProb, `logProb diff ${maxDiff(alone.logProb, inBatch.logProb)}`);
  t.deepEqual(alone.entropy, inBatch.entropy);
  t.deepEqual(alone.topLogProbs, inBatch.topLogProbs);
  t.deepEqual(alone.rank, inBatch.rank);
  // The long document's own windows also agree with scoring it alone.
  const [longAlone] = await prior.score([longer], { topK: 5 });
  t.true(maxDiff(longAlone.logProb, batched[0].logProb) < 1e-4);
});

test('a document longer than the context is scored in full, in windows', async (t) => {
  const doc = prior.tokenize(heldout[0].text);
  const n = doc.ids.length;
  t.true(n > 4 * prior.identity.contextSize, `document has ${n} tokens`);
  const [s] = await prior.score([doc], { topK: 8 });
  t.is(s.logProb.length, n);
  t.is(s.rank.length, n);
  t.is(s.topIds.length, n * 8);
  for (let i = 0; i < n; i++) {
    if (!(Number.isFinite(s.logProb[i]) && s.logProb[i] <= 0 && s.rank[i] >= 1 && s.entropy[i] >= 0)) {
      t.fail(`position ${i}: logProb ${s.logProb[i]} rank ${s.rank[i]} entropy ${s.entropy[i]}`);
      return;
    }
  }
  // The first window sees exactly what a document cut to one context sees.
  const [head] = await prior.score([slice(doc, prior.identity.contextSize)], { topK: 8 });
  t.true(maxDiff(head.logProb, s.logProb.subarray(0, prior.identity.contextSize)) < 1e-4);
  // Rank 1 means the top candidate is the actual token (when it is emittable).
  for (let i = 0; i < n; i++) if (s.rank[i] === 1) t.is(s.topIds[i * 8], doc.ids[i]);
});

test('read-out options: candidates only above the threshold, ranks and entropy on request, the rest unchanged', async (t) => {
  const doc = prior.tokenize(heldout[2].text.slice(0, 3000));
  const [full] = await prior.score([doc], { topK: 8 });
  const p = 0.3;
  const [lazy] = await prior.score([doc], { topK: 8, entropy: false, candidatesAbove: p });
  t.deepEqual(lazy.logProb, full.logProb);
  t.deepEqual(lazy.rank, full.rank);
  t.true(lazy.entropy.every(Number.isNaN));
  let above = 0;
  for (let i = 0; i < doc.ids.length; i++) {
    const row = (s: typeof full) => Array.from(s.topIds.subarray(i * 8, i * 8 + 8));
    if (Math.exp(full.logProb[i]) > p) {
      above++;
      t.deepEqual(row(lazy), row(full), `position ${i}`);
    } else t.deepEqual(row(lazy), Array(8).fill(-1), `position ${i}`);
  }
  t.true(above > 20 && above < doc.ids.length / 2, `${above} of ${doc.ids.length} positions above p`);
  const [bare] = await prior.score([doc], { topK: 0, entropy: false, rank: false });
  t.deepEqual(bare.logProb, full.logProb);
  t.true(bare.rank.every((r) => r === 0));
});

test('windows score every token once with at least context - stride tokens of left context', (t) => {
  for (const [n, c, stride] of [[1, 256, 128], [256, 256, 128], [257, 256, 128], [1000, 256, 128], [999, 256, 1], [700, 256, 255]]) {
    const seen = new Int32Array(n + 1);
    for (const w of planWindows(n, c, stride)) {
      t.true(w.end - w.start <= c && w.start >= 0);
      for (let j = w.first; j <= w.end; j++) {
        seen[j]++;
        if (w.start > 0) t.true(j - w.start >= c - stride, `target ${j} has ${j - w.start} tokens of context`);
      }
    }
    t.true(seen.subarray(1).every((v) => v === 1), `n=${n} stride=${stride}`);
  }
});

test('top-k candidates are emittable, sorted, and rank agrees with them', async (t) => {
  const doc = prior.tokenize(heldout[5].text.slice(0, 3000));
  const k = 10;
  const [s] = await prior.score([doc], { topK: k });
  for (let i = 0; i < doc.ids.length; i++) {
    for (let j = 0; j < k; j++) {
      const id = s.topIds[i * k + j];
      if (!prior.isEmittable(id)) return t.fail(`position ${i} candidate ${id} is not emittable`);
      if (j > 0 && s.topLogProbs[i * k + j] > s.topLogProbs[i * k + j - 1]) return t.fail(`position ${i} not sorted`);
    }
    if (s.logProb[i] > s.topLogProbs[i * k] + 1e-6) t.fail(`position ${i}: actual token beats the top candidate`);
  }
  t.false(prior.isEmittable(prior.identity.vocabSize - 1), '<|endoftext|> is not emittable');
  t.pass();
});

test('tokenize: spans are contiguous and rebuild every held-out document; ids equal the tokenizer', async (t) => {
  env.allowRemoteModels = false;
  env.localModelPath = 'models/';
  const reference = await AutoTokenizer.from_pretrained('brown-gpt-5m');
  for (const doc of heldout.slice(0, 20)) {
    const tok = prior.tokenize(doc.text);
    let rebuilt = '';
    let at = 0;
    for (let i = 0; i < tok.ids.length; i++) {
      t.is(tok.starts[i], at, `${doc.id}: token ${i} starts where the previous ended`);
      rebuilt += doc.text.slice(at, tok.ends[i]);
      at = tok.ends[i];
    }
    rebuilt += doc.text.slice(at);
    t.is(rebuilt, doc.text, doc.id);
    t.is(at, doc.text.length, `${doc.id}: spans cover the text`);
    t.deepEqual(Array.from(tok.ids), reference.encode(doc.text, null, { add_special_tokens: false }), `${doc.id} ids`);
    // Byte-level BPE: every token's own text is exactly its span (Brown is ASCII).
    for (let i = 0; i < tok.ids.length; i += 97) t.is(prior.tokenText(tok.ids[i]), doc.text.slice(tok.starts[i], tok.ends[i]));
  }
});

test('multi-byte characters belong to the token that completes them', (t) => {
  const text = 'Naïve café in São Paulo: 12€, “quoted” 東京 🍵 <|endoftext|> end.';
  const tok = prior.tokenize(text);
  t.is(tok.ends[tok.ids.length - 1], text.length);
  let joined = '';
  for (let i = 0; i < tok.ids.length; i++) {
    t.is(tok.starts[i], i === 0 ? 0 : tok.ends[i - 1]);
    t.true(tok.ends[i] >= tok.starts[i]);
    joined += text.slice(tok.starts[i], tok.ends[i]);
  }
  t.is(joined, text);
  // A literal "<|endoftext|>" in a document is text, not the control symbol.
  t.false(Array.from(tok.ids).includes(prior.identity.vocabSize - 1));
  // Replacing any token with itself rewrites its (possibly widened) span to the same text.
  for (let i = 0; i < tok.ids.length; i++) {
    const r = prior.replacementSpan(text, tok, i, tok.ids[i]);
    t.is(text.slice(r.start, r.end), r.text, `token ${i}`);
  }
});

test('continuationText decodes the generated bytes after the prefix', (t) => {
  const text = 'Prices rose 5€ and';
  const all = prior.tokenize(text + ' then fell to 4€ again.');
  const prefix = prior.tokenize(text).ids;
  t.deepEqual(Array.from(all.ids.subarray(0, prefix.length)), Array.from(prefix));
  t.is(text + prior.continuationText(prefix, all.ids.subarray(prefix.length)), text + ' then fell to 4€ again.');
  // A prefix that ends inside "€" is completed by the continuation's bytes.
  const euro = prior.tokenize('€');
  if (euro.ids.length > 1) {
    const cut = euro.ids.subarray(0, 1);
    t.is(prior.continuationText(cut, euro.ids.subarray(1)), '€');
  }
});

async function generate(seed: number, prompts: Int32Array[], steps: number, topK: number): Promise<number[][]> {
  const session = await prior.beginDecoding(prompts);
  const rngs = prompts.map((_, i) => createRng(seed * 1000 + i));
  const out: number[][] = prompts.map(() => []);
  for (let s = 0; s < steps; s++) {
    const dists = await session.next();
    const picks = dists.map((d, r) => d.sample(rngs[r], { temperature: 1, topK, topP: 1 }));
    picks.forEach((p, r) => out[r].push(p));
    await session.push(picks);
  }
  await session.close();
  return out;
}

test('generation is reproducible by seed, differs across seeds, and slides past the context', async (t) => {
  const prompts = [prior.tokenize(heldout[1].text.slice(0, 200)).ids, prior.tokenize('The').ids, new Int32Array(0)];
  const steps = prior.identity.contextSize + 40; // forces at least one slide
  const a = await generate(1, prompts, steps, 0);
  const b = await generate(1, prompts, steps, 0);
  const c = await generate(2, prompts, steps, 0);
  t.deepEqual(a, b);
  t.notDeepEqual(a, c);
  for (const row of a) {
    t.is(row.length, steps);
    t.true(row.every((id) => prior.isEmittable(id)));
  }
  const text = prior.continuationText(prompts[1], Int32Array.from(a[1]));
  t.true(text.length > steps, 'the continuation is text');
  const k = await generate(3, prompts, 20, 8);
  t.deepEqual(k, await generate(3, prompts, 20, 8));
});

test('cached decoding gives the distributions of a full scoring pass', async (t) => {
  const doc = prior.tokenize(heldout[2].text.slice(0, 400));
  const n = doc.ids.length;
  const cut = 10;
  const session = await prior.beginDecoding([doc.ids.subarray(0, cut), doc.ids.subarray(0, cut + 3)]);
  const [full] = await prior.score([doc], { topK: 1 });
  let maxd = 0;
  // Row 0 is fed the document's own tokens; row 1 (longer prompt, so padded differently) too.
  let pos0 = cut;
  let pos1 = cut + 3;
  while (pos1 < Math.min(n, 60)) {
    const [d0, d1] = await session.next();
    maxd = Math.max(maxd, Math.abs(d0.logProb(doc.ids[pos0]) - full.logProb[pos0]), Math.abs(d1.logProb(doc.ids[pos1]) - full.logProb[pos1]));
    await session.push([doc.ids[pos0++], doc.ids[pos1++]]);
  }
  await session.close();
  t.true(maxd < 1e-4, `max diff ${maxd}`);
});

test('sampling draws what sampleDense draws on the full distribution', async (t) => {
  const session = await prior.beginDecoding([prior.tokenize('He said that the').ids]);
  const [dist] = await session.next();
  // Rebuild the full row from logProb(id) and compare draws with the same random streams.
  const row = new Float32Array(prior.identity.vocabSize).map((_, id) => dist.logProb(id));
  for (const options of [{ temperature: 1, topK: 8, topP: 1 }, { temperature: 1.5, topK: 40, topP: 0.9 }, { temperature: 0, topK: 5, topP: 1 }]) {
    const r1 = createRng(7);
    const r2 = createRng(7);
    for (let i = 0; i < 200; i++) {
      t.is(dist.sample(r1, options), sampleDense(row, r2, options, (id) => prior.isEmittable(id)));
    }
  }
  await session.close();
});

test('a missing model folder is a model error that says how to fix it', async (t) => {
  const error = await t.throwsAsync(TransformersPrior.load({ model: 'models/does-not-exist' }));
  t.true(error instanceof TailguardError);
  t.is((error as TailguardError).code, 'model');
  t.regex(error!.message, /does-not-exist/);
  t.regex(error!.message, /make model/);
});

test('a folder without the onnx graph, or with a corrupt one, names the file', async (t) => {
  const dir = await tempDir(t, 'model');
  const folder = join(dir, 'broken');
  await mkdir(join(folder, 'onnx'), { recursive: true });
  for (const f of FILES.slice(0, 4)) await copyFile(join(MODEL, f), join(folder, f));
  const missing = await t.throwsAsync(TransformersPrior.load({ model: folder }));
  t.is((missing as TailguardError).code, 'model');
  t.regex(missing!.message, /onnx\/decoder_model_merged\.onnx/);
  t.regex(missing!.message, /missing/);

  await writeFile(join(folder, 'onnx/decoder_model_merged.onnx'), 'this is not an onnx graph');
  const corrupt = await t.throwsAsync(TransformersPrior.load({ model: folder }));
  t.is((corrupt as TailguardError).code, 'model');
  t.regex(corrupt!.message, /decoder_model_merged\.onnx/);

  await rm(join(folder, 'config.json'));
  const noConfig = await t.throwsAsync(TransformersPrior.load({ model: folder }));
  t.regex(noConfig!.message, /config\.json/);

  const quantized = await t.throwsAsync(TransformersPrior.load({ model: MODEL, quantized: true }));
  t.regex(quantized!.message, /decoder_model_merged_quantized\.onnx/);
});
