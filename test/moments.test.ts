import test from 'ava';
import { readBrown, TransformersPrior } from '../src/index.js';
import { brownPrior } from './helpers/brown-prior.js';

/** Mean and variance of log p under a dense distribution, straight from the definition. */
function moments(p: ArrayLike<number>): { entropy: number; variance: number } {
  let mean = 0;
  for (let w = 0; w < p.length; w++) if (p[w] > 0) mean += p[w] * Math.log(p[w]);
  let variance = 0;
  for (let w = 0; w < p.length; w++) if (p[w] > 0) variance += p[w] * (Math.log(p[w]) - mean) ** 2;
  return { entropy: -mean, variance };
}

const text = (await readBrown('heldout').next()).value!.text.slice(0, 1200);

test('n-gram prior: Var[log p] equals a brute-force pass over the dense distribution; other scores unchanged', async (t) => {
  const prior = await brownPrior();
  const tokens = prior.tokenize(text);
  const [plain] = await prior.score([tokens], { topK: 4 });
  const [withMoments] = await prior.score([tokens], { topK: 4, moments: true });
  t.is(plain.logProbVariance, undefined);
  t.deepEqual({ ...withMoments, logProbVariance: undefined }, { ...plain, logProbVariance: undefined });
  for (const i of [0, 1, 3, 17, 60, tokens.ids.length - 1]) {
    const d = prior.distribution(tokens.ids.subarray(0, i));
    const p = Float64Array.from({ length: prior.identity.vocabSize }, (_, w) => d.prob(w));
    const { variance } = moments(p);
    const got = withMoments.logProbVariance![i];
    t.true(Math.abs(got - variance) < 1e-4 * Math.max(1, variance), `variance at ${i}: ${got} vs ${variance}`);
  }
});

test('neural prior: Var[log p] equals a brute-force pass over the decoded row; entropy bit-identical', async (t) => {
  const prior = await TransformersPrior.load({ model: 'models/brown-gpt-5m' });
  try {
    const tokens = prior.tokenize(text.slice(0, 400));
    const [plain] = await prior.score([tokens], { topK: 0 });
    const [withMoments] = await prior.score([tokens], { topK: 0, moments: true });
    t.deepEqual(Array.from(withMoments.entropy), Array.from(plain.entropy));
    t.deepEqual(Array.from(withMoments.logProb), Array.from(plain.logProb));
    for (const i of [0, 5, tokens.ids.length - 1]) {
      const session = await prior.beginDecoding([tokens.ids.slice(0, i)]);
      const [d] = await session.next();
      await session.close();
      const p = Float64Array.from({ length: prior.identity.vocabSize }, (_, w) => Math.exp(d.logProb(w)));
      const { entropy, variance } = moments(p);
      t.true(Math.abs(withMoments.entropy[i] - entropy) < 1e-3, `entropy at ${i}`);
      t.true(Math.abs(withMoments.logProbVariance![i] - variance) < 1e-3 * Math.max(1, variance), `variance at ${i}: ${withMoments.logProbVariance![i]} vs ${variance}`);
    }
  } finally {
    await prior.dispose();
  }
});
