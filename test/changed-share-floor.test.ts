import test from 'ava';
import { readBrown, type ReadItem } from '../src/index.js';
import { calibrate, calibrationSample, thresholdOf } from '../src/edit/calibrate.js';
import { resampleOptions } from '../src/edit/config.js';
import type { CalibratedSelection } from '../src/edit/config.js';
import { createRng } from '../src/random.js';
import { brownPrior } from './helpers/brown-prior.js';

// A changed-share calibration computes each token's chance of changing (its candidates, placed)
// only above a running floor (ChangedShareFloor); the threshold must be the one computed with every
// chance known, and a floor that proves too high must be caught, not turned into a wrong 0.

const rule = { options: resampleOptions({ topK: 8, beta: 1.5, excludeOriginal: false }, NaN) };
const keep = { topK: 8, maxTokens: 1e7, entropy: false, allCandidates: false, rank: true };

async function heldout(): Promise<ReadItem[]> {
  const docs: ReadItem[] = [];
  for await (const doc of readBrown('heldout')) docs.push({ ok: true, doc });
  return docs;
}

function itemsOf(docs: ReadItem[]) {
  return async function* () {
    yield* docs;
  };
}

test('a changed-share calibration reads chances of changing only above its floor and finds the threshold of a full pass', async (t) => {
  const prior = await brownPrior();
  const docs = (await heldout()).slice(0, 20);
  const selection: CalibratedSelection = { mode: 'changed-share', targetShare: 0.01, maxTokens: 1e7 };
  const lazy = await calibrationSample(prior, itemsOf(docs)(), selection, 8, rule, keep);
  const full = await calibrationSample(prior, itemsOf(docs)(), selection, 8, rule, keep, true);
  const unknown = lazy.changes!.filter((c) => Number.isNaN(c)).length;
  t.true(unknown > lazy.changes!.length / 2, `${unknown} of ${lazy.changes!.length} chances left unknown`);
  t.is(full.changes!.filter((c) => Number.isNaN(c)).length, 0);
  const expected = thresholdOf(selection, full.probs, full.changes)!;
  t.deepEqual(thresholdOf(selection, lazy.probs, lazy.changes), expected);
  // Every known chance equals the full pass's.
  lazy.changes!.forEach((c, i) => {
    if (!Number.isNaN(c) && c !== full.changes![i]) t.fail(`token ${i}: ${c} against ${full.changes![i]}`);
  });
});

test('a floor set by predictable documents that later ones undercut is caught and the calibration taken again', async (t) => {
  const prior = await brownPrior();
  // First the training split's own documents (the prior knows their trigrams: high probabilities,
  // so a high floor), then held-out words in shuffled order (low probabilities, few changes): the
  // threshold has to come down past the floor the first documents set.
  const train: ReadItem[] = [];
  for await (const doc of readBrown('train')) if (train.length < 4) train.push({ ok: true, doc });
  const random = createRng(7);
  const shuffled = (await heldout()).slice(0, 8).map((item) => {
    if (!item.ok) return item;
    const words = item.doc.text.split(/\s+/);
    for (let i = words.length - 1; i > 0; i--) {
      const j = Math.floor(random.next() * (i + 1));
      [words[i], words[j]] = [words[j], words[i]];
    }
    return { ok: true as const, doc: { ...item.doc, text: words.join(' ') } };
  });
  const docs = [...train, ...shuffled];
  const selection: CalibratedSelection = { mode: 'changed-share', targetShare: 0.05, maxTokens: 1e7 };
  const lazy = await calibrationSample(prior, itemsOf(docs)(), selection, 2, rule, keep);
  t.is(thresholdOf(selection, lazy.probs, lazy.changes), undefined, 'the first pass leaves a needed chance unknown');
  const full = await calibrationSample(prior, itemsOf(docs)(), selection, 2, rule, keep, true);
  const { calibration } = await calibrate(prior, itemsOf(docs), selection, 2, rule, keep);
  t.deepEqual(calibration, thresholdOf(selection, full.probs, full.changes)!);
});
