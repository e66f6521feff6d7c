import test from 'ava';
import { Tensor } from '@xenova/transformers';
import { copyFile, mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { readBrown, TailguardError, type TokenizedText, TransformersPrior } from '../src/index.js';
import { loadModel, type LoadedModel } from '../src/prior/transformers/load.js';
import { int64Tensor, logProbRows, SessionCausalLM } from '../src/prior/transformers/model.js';
import { planWindows } from '../src/prior/transformers/index.js';
import { FAMILIES, type Family, maxDiff, readReference } from './helpers/families.js';
import { tempDir } from './helpers/temp-dir.js';

/**
 * Each family's test model through the prior: PyTorch's numbers, BOS/EOS, padding and windows.
 * (Tokenization of every held-out document: family-tokenizers.test.ts; the CLI: family-cli.test.ts.)
 */

const priors = new Map<string, Promise<TransformersPrior>>();
const prior = (f: Family) => priors.get(f.name) ?? priors.set(f.name, TransformersPrior.load({ model: f.folder })).get(f.name)!;
let heldout: string[];

test.before(async () => {
  heldout = [];
  for await (const doc of readBrown('heldout')) heldout.push(doc.text);
});

test.after.always(async () => {
  for (const p of priors.values()) await (await p.catch(() => null))?.dispose();
});

/** One forward pass of the raw graph (no prior around it) over rows of ids, as log-probabilities. */
async function forward(loaded: LoadedModel, rows: number[][], mask: number[][]): Promise<{ data: Float32Array; steps: number; vocab: number }> {
  const width = rows[0].length;
  const out = await loaded.model.forward({
    input_ids: int64Tensor(BigInt64Array.from(rows.flat(), BigInt), rows.length, width),
    attention_mask: int64Tensor(BigInt64Array.from(mask.flat(), BigInt), rows.length, width),
  });
  return logProbRows(out.logits as Tensor, loaded.config.output_is_log_softmax !== true);
}

for (const f of FAMILIES) {
  test(`${f.name}: loads ${f.graph} of a ${f.modelType} model, with ${f.bos} as document start and ${f.eos.join(', ')} never written`, async (t) => {
    const p = await prior(f);
    t.is(p.identity.details?.modelType, f.modelType);
    t.is(p.identity.details?.spelling, f.spelling);
    const loaded = await loadModel({ model: f.folder });
    t.teardown(() => loaded.model.dispose());
    t.true(loaded.onnxFile!.endsWith(f.graph), loaded.onnxFile!);
    const toId = loaded.tokenizer.model.tokens_to_ids;
    t.is(p.identity.details?.bosId, toId.get(f.bos));
    t.deepEqual(p.identity.details?.eosIds, f.eos.map((e) => toId.get(e)));
    for (const token of [f.bos, ...f.eos]) {
      t.false(p.isEmittable(toId.get(token)!), `${token} must never be written into a document`);
      t.is(p.tokenText(toId.get(token)!), '');
    }
    // The reference's document start is the one its training data used.
    t.is((await readReference(f)).documentStartId, toId.get(f.bos)!);
  });

  test(`${f.name}: log-probabilities equal PyTorch's within 1e-3, short texts and whole documents in windows`, async (t) => {
    const p = await prior(f);
    const ref = await readReference(f);
    t.is(ref.context, p.identity.contextSize);
    t.true(ref.texts.length >= 2 && ref.documents.length >= 1);
    const all = [...ref.texts, ...ref.documents];
    const docs: TokenizedText[] = all.map((r) => (r.text !== undefined ? p.tokenize(r.text) : { ids: Int32Array.from(r.ids), starts: new Int32Array(r.ids.length), ends: new Int32Array(r.ids.length) }));
    t.true(ref.documents.some((d) => d.ids.length > p.identity.contextSize), 'a reference document spans several windows');
    // The windows of the prior must be the reference's: the prior is loaded with its default stride.
    t.is(p.identity.details?.windowStride, ref.stride);
    const scores = await p.score(docs, { topK: 0 });
    all.forEach((r, d) => {
      t.deepEqual(Array.from(docs[d].ids), r.ids, `text ${d}: token ids`);
      const diff = maxDiff(scores[d].logProb, r.logProbs);
      t.true(diff < 1e-3, `text ${d} (${r.ids.length} tokens): max |diff| ${diff}`);
    });
  });

  test(`${f.name}: a window scores as it does fed alone, positions restarting at 0 (${f.rotary ? 'rotary' : 'learned'} positions)`, async (t) => {
    const p = await prior(f);
    const loaded = await loadModel({ model: f.folder });
    t.teardown(() => loaded.model.dispose());
    const C = p.identity.contextSize;
    const doc = p.tokenize(heldout[5]);
    t.true(doc.ids.length > 3 * C);
    const [scores] = await p.score([doc], { topK: 0 });
    const s = [Number(p.identity.details?.bosId), ...doc.ids];
    const windows = planWindows(doc.ids.length, C, Number(p.identity.details?.windowStride));
    const w = windows[2];
    const alone = await forward(loaded, [s.slice(w.start, w.end)], [new Array(w.end - w.start).fill(1)]);
    let diff = 0;
    for (let target = w.first; target <= w.end; target++) {
      const i = target - 1 - w.start;
      diff = Math.max(diff, Math.abs(alone.data[i * alone.vocab + s[target]] - scores.logProb[target - 1]));
    }
    t.true(diff < 1e-4, `max |diff| ${diff}`);
  });

  test(`${f.name}: right-padded batches give every row the numbers it gets alone; left-padded ${f.positionIds ? 'too' : 'not (no position_ids), which the prior detects'}`, async (t) => {
    const p = await prior(f);
    const loaded = await loadModel({ model: f.folder });
    t.teardown(() => loaded.model.dispose());
    t.is(loaded.model instanceof SessionCausalLM && loaded.model.inputs.positionIds, f.positionIds);
    const bos = Number(p.identity.details?.bosId);
    const short = [bos, ...p.tokenize(heldout[1].slice(0, 120)).ids];
    const long = [bos, ...p.tokenize(heldout[2].slice(0, 400)).ids].slice(0, p.identity.contextSize);
    const pad = long.length - short.length;
    t.true(pad > 5);
    const alone = await forward(loaded, [short], [short.map(() => 1)]);
    const ones = short.map(() => 1);
    const left = await forward(loaded, [[...new Array(pad).fill(bos), ...short], long], [[...new Array(pad).fill(0), ...ones], long.map(() => 1)]);
    const right = await forward(loaded, [[...short, ...new Array(pad).fill(bos)], long], [[...ones, ...new Array(pad).fill(0)], long.map(() => 1)]);
    const V = alone.vocab;
    const row = (out: typeof alone, r: number, j: number) => out.data.subarray((r * out.steps + j) * V, (r * out.steps + j + 1) * V);
    let leftDiff = 0;
    let rightDiff = 0;
    for (let j = 0; j < short.length; j++) {
      leftDiff = Math.max(leftDiff, maxDiff(row(alone, 0, j), row(left, 0, pad + j)));
      rightDiff = Math.max(rightDiff, maxDiff(row(alone, 0, j), row(right, 0, j)));
    }
    t.true(rightDiff < 1e-4, `right padding: max |diff| ${rightDiff}`);
    if (f.positionIds) t.true(leftDiff < 1e-4, `left padding: max |diff| ${leftDiff}`);
    else t.true(leftDiff > 1e-2, `left padding shifts learned positions: max |diff| ${leftDiff}`);
    // Decoding left-pads prompts only where that is safe (else one row per pass).
    t.is(p.identity.details?.leftPadding, f.positionIds);
  });

  test(`${f.name}: cached decoding from left-padded prompts gives the distributions of scoring, from the same document start`, async (t) => {
    const p = await prior(f);
    const doc = p.tokenize(heldout[4].slice(0, 600));
    const [full] = await p.score([doc], { topK: 0 });
    // A one-token prompt: its first distribution is position 1's, which scoring reached from the BOS.
    const session = await p.beginDecoding([doc.ids.subarray(0, 1), doc.ids.subarray(0, 9)]);
    let a = 1;
    let b = 9;
    let diff = 0;
    while (b < Math.min(doc.ids.length, 40)) {
      const [d0, d1] = await session.next();
      diff = Math.max(diff, Math.abs(d0.logProb(doc.ids[a]) - full.logProb[a]), Math.abs(d1.logProb(doc.ids[b]) - full.logProb[b]));
      await session.push([doc.ids[a++], doc.ids[b++]]);
    }
    await session.close();
    t.true(diff < 1e-4, `max |diff| ${diff}`);
  });
}

test('a folder without a graph names both layouts; an Optimum export with model.onnx at its top is told to move it', async (t) => {
  const f = FAMILIES.find((x) => x.name === 'gpt2-single')!;
  const dir = await tempDir(t, 'family-layout');
  for (const file of ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json']) await copyFile(join(f.folder, file), join(dir, file));
  const none = await t.throwsAsync(TransformersPrior.load({ model: dir }), { instanceOf: TailguardError });
  t.is((none as TailguardError).code, 'model');
  t.regex(none!.message, /is missing onnx\/decoder_model_merged\.onnx \(or onnx\/model\.onnx\)/);
  await copyFile(join(f.folder, f.graph), join(dir, 'model.onnx'));
  const top = await t.throwsAsync(TransformersPrior.load({ model: dir }), { instanceOf: TailguardError });
  t.regex(top!.message, /it has model\.onnx at its top: move model\.onnx\* into onnx\//);
  await mkdir(join(dir, 'onnx'));
  await rename(join(dir, 'model.onnx'), join(dir, 'onnx', 'model.onnx'));
  const moved = await TransformersPrior.load({ model: dir });
  t.is(moved.identity.details?.modelType, 'gpt2');
  await moved.dispose();
});
