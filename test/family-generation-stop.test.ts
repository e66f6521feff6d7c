import test from 'ava';
import { readBrown, type Rng, type TokenDistribution, TransformersPrior } from '../src/index.js';
import { PURE_SAMPLING } from '../src/prior/sampling.js';
import { FAMILIES } from './helpers/families.js';

/**
 * Each family's end token can end a generation, and only a generation: a decoding session opened
 * with `endTokens` may draw it, one opened without never does. The fixtures are trained too little
 * to draw it by chance in a test (the Llama one gives `</s>` almost no mass), so the draw is steered:
 * a plain draw (temperature 1, no top-k or top-p) takes the token where u · total falls along the
 * drawable ids in ascending order (sampling.ts drawIndex), so the token drawn never decreases as u
 * grows, and bisection on u finds the first u that draws the end token or a later id. It is the end
 * token exactly when the session's mask holds it, however little mass the model gives it. That a
 * drawn end token ends the continuation is shown on the shipped model, which draws it unforced
 * (generation-stop.test.ts).
 */

const fixed = (u: number): Rng => ({ next: () => u });

/** The id drawn at the first u that draws `end` or a later id (-1: every u draws an earlier one). */
function firstDrawFrom(dist: TokenDistribution, end: number): number {
  const at = (u: number) => dist.sample(fixed(u), PURE_SAMPLING);
  if (at(0) >= end) return at(0);
  let lo = 0; // draws an id before `end`
  let hi = 1; // u < 1 always: hi is a bound, never drawn at
  for (let i = 0; i < 80 && hi - lo > Number.EPSILON; i++) {
    const mid = (lo + hi) / 2;
    if (at(mid) < end) lo = mid;
    else hi = mid;
  }
  return hi < 1 ? at(hi) : -1;
}

let text: string;
test.before(async () => {
  for await (const doc of readBrown('heldout')) {
    text = doc.text.slice(0, 400);
    break;
  }
});

for (const f of FAMILIES) {
  test(`${f.name}: a generation session may draw ${f.eos.join(', ')} when asked, never otherwise`, async (t) => {
    const prior = await TransformersPrior.load({ model: f.folder });
    t.teardown(() => prior.dispose());
    t.deepEqual(prior.endIds, prior.identity.details?.eosIds);
    const prompt = prior.tokenize(text).ids.subarray(0, 24);
    for (const end of prior.endIds) {
      for (const endTokens of [true, false]) {
        const session = await prior.beginDecoding([prompt], { endTokens });
        const [dist] = await session.next();
        const first = firstDrawFrom(dist, end);
        await session.close();
        t.log(`end ${end}, endTokens ${endTokens}: P(end) = ${Math.exp(dist.logProb(end)).toExponential(2)}, first draw from it: ${first}`);
        if (endTokens) t.is(first, end, 'the end token is drawable in a generation session');
        else t.not(first, end, 'never without endTokens');
      }
    }
  });
}
