import test from 'ava';
import { parseComparison, parsePipeline, parseSimulation } from '../src/index.js';

// The edit strategy is defined once (src/edit/config.ts): the pipeline, compare and the
// simulator take its keys with the same bounds and defaults.
const strategyIn = {
  pipeline: (edit: object) => parsePipeline({ name: 'x', input: { format: 'brown' }, prior: { type: 'ngram' }, edit }).edit,
  compare: (edit: object) => parseComparison({ name: 'x', input: { format: 'brown' }, prior: { type: 'ngram' }, strategies: [{ name: 's', ...edit }] }).strategies[0],
  simulate: (edit: object) => {
    const regime = parseSimulation({ name: 'x', regimes: [{ type: 'toedit', ...edit }] }).regimes[0];
    if (regime.type !== 'toedit') throw new Error('not a toedit regime');
    return regime;
  },
};

test('pipeline, compare and simulate share the strategy keys: same defaults, same bounds', (t) => {
  for (const [where, parse] of Object.entries(strategyIn)) {
    const defaults = parse({});
    t.deepEqual([defaults.topK, defaults.beta, defaults.excludeOriginal, defaults.selection], [8, 1.5, false, { mode: 'absolute', p: 0.99 }], where);
    t.is(parse({ topK: 1000 }).topK, 1000, where);
    t.throws(() => parse({ topK: 1001 }), { message: /topK: Number must be less than or equal to 1000, got 1001/ }, where);
    t.throws(() => parse({ beta: 0 }), { message: /beta: Number must be greater than 0, got 0/ }, where);
    t.deepEqual(parse({ selection: { mode: 'calibrated' } }).selection, { mode: 'calibrated', targetShare: 0.125, maxTokens: 10_000_000 }, where);
  }
});
