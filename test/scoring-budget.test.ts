import test from 'ava';
import { readBrown, TailguardError, type TokenizedText, TransformersPrior } from '../src/index.js';
import { DEFAULT_LOGITS_BUDGET_MB, logitsBudgetBytes, logitsBytes, planPasses, rowsPerPass, scoringWindow } from '../src/prior/transformers/budget.js';
import { loadModel } from '../src/prior/transformers/load.js';
import { int64Tensor, logProbRows } from '../src/prior/transformers/model.js';
import { planWindows } from '../src/prior/transformers/windows.js';
import { openXenovaGraph } from '../src/prior/transformers/xenova-model.js';
import { maxDiff } from './helpers/families.js';

/**
 * Real pretrained models must fit in memory: the scoring window is capped and the windows of a
 * forward pass are cut to a logits budget (src/prior/transformers/budget.ts). The budget must not
 * change a single number; the window changes them, exactly as windows.ts plans.
 */

// Qwen2.5-0.5B's config: max_position_embeddings and vocab_size.
const QWEN_CONTEXT = 32768;
const QWEN_VOCAB = 151936;
const QWEN2 = 'test/fixtures/models/qwen2';

let heldout: string[];
test.before(async () => {
  heldout = [];
  for await (const doc of readBrown('heldout')) heldout.push(doc.text);
});

test('planner: a Qwen2-sized model gets a capped window, every target scored once, every pass within the budget or alone', (t) => {
  const window = scoringWindow(QWEN_CONTEXT, undefined);
  t.true(window < QWEN_CONTEXT);
  const budget = logitsBudgetBytes(undefined);
  const n = 10 * window + 7;
  const windows = planWindows(n, window, window / 2);
  const scored = new Array<number>(n + 1).fill(0);
  for (const w of windows) {
    t.true(w.end - w.start <= window);
    for (let target = w.first; target <= w.end; target++) scored[target]++;
  }
  t.deepEqual(scored.slice(1), new Array<number>(n).fill(1));
  // The whole 32K context would not fit even alone: at least one window per pass, always.
  t.true(logitsBytes(1, QWEN_CONTEXT, QWEN_VOCAB) > budget);
  t.is(rowsPerPass(QWEN_CONTEXT, QWEN_VOCAB, budget, 16), 1);
  // Windows of many documents, sorted longest first as scoring sorts them.
  const widths = [...windows, ...planWindows(window / 3, window, window / 2), ...planWindows(window * 3, window, window / 2)].map((w) => w.end - w.start).sort((a, b) => b - a);
  for (const budgetMB of [1, DEFAULT_LOGITS_BUDGET_MB, 4096]) {
    const bytes = logitsBudgetBytes(budgetMB);
    const passes = planPasses(widths, QWEN_VOCAB, bytes, 16);
    t.deepEqual(passes.flatMap(([a, b]) => Array.from({ length: b - a }, (_, i) => a + i)), widths.map((_, i) => i), 'every window once, in order');
    for (const [a, b] of passes) {
      t.true(b - a <= 16);
      t.true(b - a === 1 || logitsBytes(b - a, widths[a], QWEN_VOCAB) <= bytes, `pass ${a}..${b} over ${budgetMB} MiB`);
      // Not needlessly small: one more window would break the budget or the batch size.
      if (b < widths.length) t.true(b - a === 16 || logitsBytes(b - a + 1, widths[a], QWEN_VOCAB) > bytes);
    }
  }
});

test('planner: the window key is validated against the model context, naming the key', (t) => {
  for (const bad of [1, 0, 2.5, QWEN_CONTEXT + 1]) {
    const error = t.throws(() => scoringWindow(QWEN_CONTEXT, bad), { instanceOf: TailguardError });
    t.is(error?.code, 'config');
    t.regex(error?.message ?? '', /prior\.window/);
  }
  t.is(scoringWindow(QWEN_CONTEXT, 2), 2);
  t.is(scoringWindow(256, undefined), 256, "a context under the default cap is the model's own");
  t.throws(() => logitsBudgetBytes(0), { instanceOf: TailguardError, message: /prior\.logitsBudgetMB/ });
});

/** The qwen2 fixture with every forward pass's logits shape recorded. */
async function recordingPrior(options: { window?: number; logitsBudgetMB?: number }) {
  const passes: number[][] = [];
  const prior = await TransformersPrior.load(
    { model: QWEN2, ...options },
    {
      name: 'xenova',
      openGraph: async ({ id, quantized, layout }) => {
        const opened = await openXenovaGraph(id, { quantized, layout });
        const run = opened.session.run.bind(opened.session);
        const session = { inputNames: opened.session.inputNames, run: async (feeds: Record<string, unknown>) => {
          const out = await run(feeds);
          passes.push([...out.logits.dims]);
          return out;
        } };
        return { ...opened, session };
      },
    },
  );
  passes.length = 0; // the load's probe
  return { prior, passes };
}

test('qwen2 fixture: a budget of one window per pass gives exactly the scores of the default budget; the window cap follows windows.ts', async (t) => {
  const window = 48;
  const wide = await recordingPrior({ window });
  const narrow = await recordingPrior({ window, logitsBudgetMB: 0.001 });
  const full = await recordingPrior({});
  t.teardown(async () => {
    for (const p of [wide, narrow, full]) await p.prior.dispose();
  });
  t.is(wide.prior.identity.contextSize, window);
  t.is(Number(wide.prior.identity.details?.windowStride), window / 2);
  t.true(Number(wide.prior.identity.details?.modelContext) > window);
  t.is(full.prior.identity.contextSize, Number(full.prior.identity.details?.modelContext), 'a small model keeps its whole context by default');

  const docs: TokenizedText[] = heldout.slice(0, 2).map((text) => wide.prior.tokenize(text));
  t.true(docs.every((d) => d.ids.length > 3 * window));
  const options = { topK: 4, entropy: true };
  const a = await wide.prior.score(docs, options);
  const b = await narrow.prior.score(docs, options);
  t.true(wide.passes.some((dims) => dims[0] > 1), 'the default budget shares passes');
  t.true(narrow.passes.length > wide.passes.length && narrow.passes.every((dims) => dims[0] === 1), 'the tiny budget feeds one window per pass');
  t.deepEqual(b, a, 'scores do not depend on the budget');

  // The capped window is windows.ts's plan: window 2 of the first document fed alone to the graph.
  const loaded = await loadModel({ model: QWEN2 });
  t.teardown(() => loaded.model.dispose());
  const s = [Number(wide.prior.identity.details?.bosId), ...docs[0].ids];
  const w = planWindows(docs[0].ids.length, window, window / 2)[2];
  const width = w.end - w.start;
  const out = await loaded.model.forward({
    input_ids: int64Tensor(BigInt64Array.from(s.slice(w.start, w.end), BigInt), 1, width),
    attention_mask: int64Tensor(new BigInt64Array(width).fill(1n), 1, width),
  });
  const alone = logProbRows(out.logits, true);
  const expected: number[] = [];
  for (let target = w.first; target <= w.end; target++) expected.push(alone.data[(target - 1 - w.start) * alone.vocab + s[target]]);
  t.true(maxDiff(a[0].logProb.slice(w.first - 1, w.end), expected) < 1e-4);
  // ...and a real cap: with the whole context the same targets see more and score otherwise.
  const [uncapped] = await full.prior.score([docs[0]], { topK: 0 });
  t.true(maxDiff(uncapped.logProb.slice(w.first - 1, w.end), expected) > 1e-3);
});

test('qwen2 fixture: generation and two-sided weights under a one-window budget equal the default budget\u2019s', async (t) => {
  const wide = await recordingPrior({ window: 32 });
  const narrow = await recordingPrior({ window: 32, logitsBudgetMB: 0.001 });
  t.teardown(async () => {
    for (const p of [wide, narrow]) await p.prior.dispose();
  });
  const docs = heldout.slice(0, 3).map((text) => wide.prior.tokenize(text));
  const prompts = docs.map((d, i) => d.ids.slice(0, 5 + 7 * i));
  // Enough pushes to pass the 32-token window and re-encode the rows.
  const steps = 40;
  const drawn = [wide, narrow].map(async ({ prior }) => {
    const session = await prior.beginDecoding(prompts);
    const rows: number[][] = [];
    for (let step = 0; step < steps; step++) {
      const dists = await session.next();
      rows.push(dists.map((d, r) => d.logProb(docs[r].ids[60 + step])));
      await session.push(docs.map((d) => d.ids[60 + step]));
    }
    await session.close();
    return rows;
  });
  const [a, b] = [await drawn[0], await drawn[1]];
  t.true(maxDiff(b.flat(), a.flat()) < 1e-5, 'decoding distributions');
  t.true(narrow.passes.every((dims) => dims[0] === 1));

  const requests = docs.map((d) => ({ history: d.ids.slice(10, 30), token: d.ids[30], candidates: Int32Array.from([d.ids[30], d.ids[31], d.ids[32]]), lookahead: d.ids.slice(31, 35) }));
  wide.passes.length = narrow.passes.length = 0;
  const [wa, wb] = [await wide.prior.weighCandidates(requests), await narrow.prior.weighCandidates(requests)];
  t.true(wide.passes.length < narrow.passes.length, 'the tiny budget weighs one request per group');
  t.true(maxDiff(wb.flatMap((w) => [...w]), wa.flatMap((w) => [...w])) < 1e-5, 'two-sided weights');
});

test('qwen2 fixture: a window past the model context, or a stride not inside the window, is refused as a config error naming the key and the model', async (t) => {
  const context = (await loadModelConfig()).n_positions;
  const tooWide = await t.throwsAsync(TransformersPrior.load({ model: QWEN2, window: context + 1 }), { instanceOf: TailguardError });
  t.is(tooWide?.code, 'config');
  t.regex(tooWide?.message ?? '', new RegExp(`prior\\.window .*2\\.\\.${context} .*qwen2`));
  const stride = await t.throwsAsync(TransformersPrior.load({ model: QWEN2, window: 16, windowStride: 16 }), { instanceOf: TailguardError });
  t.is(stride?.code, 'config');
  t.regex(stride?.message ?? '', /prior\.windowStride .*1\.\.15/);
});

async function loadModelConfig() {
  const loaded = await loadModel({ model: QWEN2 });
  await loaded.model.dispose();
  return loaded.config;
}
