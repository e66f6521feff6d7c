import test from 'ava';
import { createRng, rngFor, sampleDense } from '../src/index.js';
import { brownPrior } from './helpers/brown-prior.js';
import { SHAPES, shaped } from './helpers/shaped.js';

const prior = await brownPrior();
const V = prior.identity.vocabSize;
// A real next-token distribution, dense, as a neural prior would hand it over.
const dist = prior.distribution(prior.tokenize('The committee said that').ids);
const logp = Float64Array.from({ length: V }, (_, i) => Math.log(dist.prob(i)));
const emittable = (id: number) => prior.isEmittable(id);

test('dense sampling follows temperature, top-k and top-p exactly', (t) => {
  const n = 4000;
  for (const options of SHAPES) {
    const expected = shaped(V, emittable, (id) => Math.exp(logp[id]), options);
    const counts = new Map<number, number>();
    const rng = createRng(5);
    for (let i = 0; i < n; i++) {
      const id = sampleDense(logp, rng, options, emittable);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    t.true([...counts.keys()].every((id) => expected.has(id)), `${JSON.stringify(options)}: only kept tokens`);
    for (const [id, p] of [...expected].sort((a, b) => b[1] - a[1]).slice(0, 5)) {
      const se = Math.sqrt((p * (1 - p)) / n);
      t.true(Math.abs((counts.get(id) ?? 0) / n - p) < 4.5 * se + 1e-4, `${JSON.stringify(options)} ${prior.tokenText(id)}`);
    }
  }
});

test('greedy decoding at temperature 0, and never a non-emittable token', (t) => {
  const best = Array.from({ length: V }, (_, i) => i).filter(emittable).reduce((a, b) => (logp[b] > logp[a] ? b : a));
  t.is(sampleDense(logp, createRng(1), { temperature: 0, topK: 0, topP: 1 }, emittable), best);
  const rng = createRng(2);
  for (let i = 0; i < 500; i++) t.true(emittable(sampleDense(logp, rng, { temperature: 1, topK: 0, topP: 1 }, emittable)));
});

test('random streams depend only on seed, stage and document id', (t) => {
  const draw = (seed: number, stage: string, id: string) => Array.from({ length: 5 }, ((r) => () => r.next())(rngFor(seed, stage, id)));
  t.deepEqual(draw(1, 'edit', 'a'), draw(1, 'edit', 'a'));
  t.notDeepEqual(draw(1, 'edit', 'a'), draw(2, 'edit', 'a'));
  t.notDeepEqual(draw(1, 'edit', 'a'), draw(1, 'synthetic', 'a'));
  t.notDeepEqual(draw(1, 'edit', 'a'), draw(1, 'edit', 'b'));
  const xs = Array.from({ length: 10000 }, ((r) => () => r.next())(createRng(3)));
  t.true(xs.every((x) => x >= 0 && x < 1));
  t.true(Math.abs(xs.reduce((a, b) => a + b, 0) / xs.length - 0.5) < 0.02);
});

test('top-k / top-p draws are exactly those of sorting the vocabulary and walking the kept prefix', (t) => {
  // The reference the selection-based sampler must match draw for draw: sort (most probable
  // first, ties to the lower id), keep at most topK and the smallest prefix reaching topP, walk.
  const reference = (u: number, options: { temperature: number; topK: number; topP: number }): number => {
    const order = Array.from({ length: V }, (_, i) => i).filter((i) => emittable(i) && logp[i] > -Infinity);
    const max = Math.max(...order.map((i) => logp[i]));
    const w = new Map(order.map((i) => [i, Math.exp((logp[i] - max) / options.temperature)]));
    const total = order.reduce((s, i) => s + w.get(i)!, 0);
    order.sort((a, b) => w.get(b)! - w.get(a)! || a - b);
    const kept: number[] = [];
    let mass = 0;
    for (const i of order) {
      if ((options.topK > 0 && kept.length >= options.topK) || (options.topP < 1 && mass >= options.topP * total)) break;
      kept.push(i);
      mass += w.get(i)!;
    }
    let left = u * mass;
    for (const i of kept) if ((left -= w.get(i)!) < 0) return i;
    return kept[kept.length - 1];
  };
  for (const options of [...SHAPES.filter((o) => o.topK > 0 || o.topP < 1), { temperature: 1, topK: 0, topP: 0.9 }]) {
    const a = createRng(11);
    const b = createRng(11);
    for (let i = 0; i < 300; i++) {
      const drawn = sampleDense(logp, a, options, emittable);
      t.is(drawn, reference(b.next(), options), `${JSON.stringify(options)} draw ${i}`);
    }
  }
});
