import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TailguardError, TransformersPrior } from '../src/index.js';
import { loadModel } from '../src/prior/transformers/load.js';
import type { CausalLM } from '../src/prior/transformers/model.js';
import { PROBE_TEXT, probeModel } from '../src/prior/transformers/probe.js';
import { SpanTokenizer } from '../src/prior/transformers/tokenizer.js';
import { copyShippedModel, ONNX_GRAPH, SHIPPED_MODEL } from './helpers/model-copy.js';
import { tempDir } from './helpers/temp-dir.js';

const READ_BY_THE_LOADER = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', ONNX_GRAPH];

test('the shipped model carries a SHA256SUMS that sha256sum -c accepts, lists every file it loads, agrees with the model card, and loads verified', async (t) => {
  execFileSync('sha256sum', ['--check', '--strict', '--quiet', 'SHA256SUMS'], { cwd: SHIPPED_MODEL }); // throws on any mismatch
  const listed = new Map((await readFile(join(SHIPPED_MODEL, 'SHA256SUMS'), 'utf8')).trim().split('\n').map((l) => [l.slice(66), l.slice(0, 64)]));
  t.deepEqual([...listed.keys()].sort(), [...READ_BY_THE_LOADER].sort());
  const card = await readFile(join(SHIPPED_MODEL, 'README.md'), 'utf8');
  t.true(card.includes(listed.get(ONNX_GRAPH)!), 'the card quotes the graph sha256');
  const prior = await TransformersPrior.load({ model: SHIPPED_MODEL });
  t.is(prior.identity.sha256, listed.get(ONNX_GRAPH)!);
  t.is(prior.identity.details?.checksums, 'verified');
  t.deepEqual(prior.warnings, []);
  await prior.dispose();
});

test('a folder without SHA256SUMS loads with a warning whose command adds them; from then on a changed JSON file is refused', async (t) => {
  const { folder } = await copyShippedModel(await tempDir(t, 'model'), 'unlisted');
  await rm(join(folder, 'SHA256SUMS'));
  const bare = await TransformersPrior.load({ model: folder });
  await bare.dispose();
  t.is(bare.identity.details?.checksums, 'none');
  t.is(bare.warnings.length, 1);
  const [warning] = bare.warnings;
  t.true(warning.startsWith(`model folder "${folder}" has no SHA256SUMS`), warning);

  execFileSync('bash', ['-c', warning.slice(warning.indexOf('(cd '))]);
  const pinned = await TransformersPrior.load({ model: folder });
  await pinned.dispose();
  t.is(pinned.identity.details?.checksums, 'verified');
  t.deepEqual(pinned.warnings, []);

  const config = join(folder, 'config.json');
  await writeFile(config, (await readFile(config, 'utf8')).replace('"n_ctx": 256', '"n_ctx": 255')); // still valid JSON
  const error = await t.throwsAsync(TransformersPrior.load({ model: folder }), { instanceOf: TailguardError });
  t.is((error as TailguardError).code, 'model');
  t.true(error!.message.startsWith(`Model file "${config}" does not match its checksum in ${join(folder, 'SHA256SUMS')}: expected sha256 `), error!.message);
});

/** The real model with its context taken away: every position gets the mean of the real predictions over the input. */
function contextBlind(model: CausalLM): CausalLM {
  return {
    historyRows: (past, rowOwner, columns) => model.historyRows(past, rowOwner, columns),
    forward: async (inputs) => {
      const out = await model.forward(inputs);
      const [, steps, vocab] = out.logits.dims as number[];
      const data = out.logits.data as Float32Array;
      const mean = new Float64Array(vocab);
      for (let i = 0; i < steps * vocab; i++) mean[i % vocab] += Math.exp(data[i]) / steps;
      for (let i = 0; i < steps * vocab; i++) data[i] = Math.log(mean[i % vocab]);
      return out;
    },
    dispose: () => model.dispose(),
  };
}

test('the probe refuses a model that ignores its context although its perplexity beats guessing', async (t) => {
  const loaded = await loadModel({ model: SHIPPED_MODEL });
  t.teardown(() => loaded.model.dispose());
  const tok = new SpanTokenizer(loaded.tokenizer, loaded.config.vocab_size, loaded.tokens.special);
  const setup = { bosId: loaded.tokens.bosId, vocabSize: loaded.config.vocab_size, context: loaded.config.n_positions, normalize: false };
  const ids = tok.tokenize(PROBE_TEXT).ids;
  const real = await probeModel({ ...setup, model: loaded.model }, ids, SHIPPED_MODEL, '');
  const error = await t.throwsAsync(probeModel({ ...setup, model: contextBlind(loaded.model) }, ids, SHIPPED_MODEL, ''), { instanceOf: TailguardError });
  t.regex(error!.message, /^Model "models\/brown-gpt-5m" fails the sanity probe: its predictions do not use the context: perplexity \S+ on \d+ tokens/);
  const blind = Number(/perplexity (\S+) on/.exec(error!.message)![1]);
  t.true(blind > real.perplexity && blind < setup.vocabSize, `blind ${blind}, real ${real.perplexity}: only the context check can catch it`);
});
