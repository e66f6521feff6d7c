import test from 'ava';
import { createRng, readBrown, type Rng } from '../src/index.js';
import type { BackoffTables } from '../src/prior/ngram/backoff.js';
import { brownPrior } from './helpers/brown-prior.js';

const prior = await brownPrior();
const kn = (prior.model as unknown as { kn: BackoffTables }).kn;
const PURE = { temperature: 1, topK: 0, topP: 1 };
const anyToken = () => true;

/**
 * The definition of a pure draw (the sampler before prefix sums): load the context with
 * `accumulate`, u = r · (S + g) with S summed in touched order, subtract the touched ids'
 * weights in that order until u goes below 0, else the dense part by p1's inverse CDF. Also
 * returns the uniforms at which the answer changes, to test draws right at them.
 */
function walk(history: Int32Array, r: number): number {
  const nodes = kn.contextNodes(history, history.length, new Int32Array(kn.order));
  const g = kn.accumulate(nodes);
  let s = 0;
  for (let t = 0; t < kn.nTouched; t++) s += kn.acc[kn.touched[t]];
  let u = r * (s + g);
  if (u < s) {
    for (let t = 0; t < kn.nTouched; t++) if ((u -= kn.acc[kn.touched[t]]) < 0) return kn.touched[t];
    return kn.touched[kn.nTouched - 1];
  }
  const cum = kn.cumP1;
  const target = ((u - s) / g) * cum[cum.length - 1];
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Uniforms at and next to the boundaries between touched ids, and between sparse and dense. */
function boundaries(history: Int32Array, count: number): number[] {
  const nodes = kn.contextNodes(history, history.length, new Int32Array(kn.order));
  const g = kn.accumulate(nodes);
  const weights = Array.from(kn.touched.subarray(0, kn.nTouched), (id) => kn.acc[id]);
  const total = weights.reduce((a, b) => a + b, 0) + g;
  const out: number[] = [];
  let c = 0;
  const step = Math.max(1, Math.floor(weights.length / count));
  for (let t = 0; t < weights.length; t++) {
    c += weights[t];
    if (t % step === 0 || t === weights.length - 1) for (const d of [-2, -1, 0, 1, 2]) out.push(ulps(c / total, d));
  }
  return out.filter((r) => r >= 0 && r < 1);
}

/** x moved by d units in the last place. */
function ulps(x: number, d: number): number {
  const f = new Float64Array([x]);
  const b = new BigInt64Array(f.buffer);
  b[0] += BigInt(d);
  return f[0];
}

const fixed = (r: number): Rng => ({ next: () => r });

test('pure draws from the prefix-sum tables are those of the sequential walk, also within rounding of every boundary', async (t) => {
  const histories: Int32Array[] = [new Int32Array(0)];
  const rng = createRng(11);
  for await (const doc of readBrown('heldout')) {
    const { ids } = prior.tokenize(doc.text);
    for (let j = 0; j < 6; j++) histories.push(ids.slice(0, 1 + Math.floor(rng.next() * (ids.length - 1))));
    if (histories.length > 120) break;
  }
  // Contexts the model has not seen as two words, and a one-word context with thousands of followers.
  histories.push(Int32Array.from([prior.tokenize('zebra').ids[0], prior.tokenize('the').ids[0]]));
  histories.push(Int32Array.from([prior.tokenize('.').ids[0], prior.tokenize('of').ids[0]]));
  let draws = 0;
  let nearBoundary = 0;
  for (const history of histories) {
    const near = boundaries(history, 40);
    const uniforms = [...Array.from({ length: 60 }, () => rng.next()), ...near];
    nearBoundary += near.length;
    for (const r of uniforms) {
      const expected = walk(history, r);
      const got = prior.model.sample(history, fixed(r), PURE, anyToken);
      if (got !== expected) t.fail(`history of ${history.length} ids, r = ${r}: drew ${got}, the walk ${expected}`);
      draws++;
    }
  }
  t.true(nearBoundary > 1000, `${nearBoundary} draws within rounding of a boundary`);
  t.pass(`${draws} draws agree`);
});
