import test from 'ava';
import { isSelectable, readBrown, type ReadItem, TransformersPrior } from '../src/index.js';
import { calibrate } from '../src/edit/calibrate.js';
import { resampleOptions } from '../src/edit/config.js';

// The neural prior reads candidates during calibration only above a running floor; every score the
// calibration pass keeps for the editing pass must still hold candidates wherever the final
// threshold selects, or ToEdit would silently skip tokens.
test('kept calibration scores have candidates at every position the calibrated p selects', async (t) => {
  const prior = await TransformersPrior.load({ model: 'models/brown-gpt-5m', batchSize: 4 });
  try {
    const docs: ReadItem[] = [];
    for await (const doc of readBrown('heldout')) if (docs.length < 12) docs.push({ ok: true, doc: { ...doc, text: doc.text.slice(0, 2500) } });
    async function* items() {
      yield* docs;
    }
    const rule = { options: resampleOptions({ topK: 8, beta: 1.5, excludeOriginal: false }, NaN) };
    const { calibration, scores } = await calibrate(prior, items, { mode: 'calibrated', targetShare: 0.125, maxTokens: 1e6 }, 3, rule, { topK: 8, maxTokens: 1e6, entropy: false, allCandidates: false, rank: true });
    t.true(Math.abs(calibration.achievedShare - 0.125) < 0.01, `achieved ${calibration.achievedShare}`);
    t.true(scores.size >= 10, `${scores.size} of 12 documents kept`);
    let withCandidates = 0;
    let skipped = 0;
    for (const item of docs) {
      if (!item.ok) continue;
      const s = scores.get(item.doc.id);
      if (!s) continue;
      const tokens = prior.tokenize(item.doc.text);
      for (let i = 0; i < tokens.ids.length; i++) {
        if (s.topIds[i * 8] === -1) skipped++;
        if (!(Math.exp(s.logProb[i]) > calibration.p) || !isSelectable(prior, item.doc.text, tokens, i, false)) continue;
        if (s.topIds[i * 8] === -1) t.fail(`${item.doc.id} position ${i}: selected but no candidates`);
        withCandidates++;
      }
    }
    t.true(withCandidates > 500, `${withCandidates} selected positions checked`);
    // The floor did its job: later batches skipped most positions' top-k pass.
    t.true(skipped > withCandidates, `${skipped} positions without candidates`);
  } finally {
    await prior.dispose();
  }
});
