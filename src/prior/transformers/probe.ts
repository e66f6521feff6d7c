import { TailguardError } from '../../errors.js';
import { int64Tensor, logProbRows, type CausalLM } from './model.js';

/**
 * Plain English that any English model has seen the like of: Article 1 of the Universal Declaration
 * of Human Rights and the first sentence of the Gettysburg Address (72 tokens of brown-gpt-5m).
 */
export const PROBE_TEXT =
  'All human beings are born free and equal in dignity and rights. They are endowed with reason and conscience ' +
  'and should act towards one another in a spirit of brotherhood. Four score and seven years ago our fathers ' +
  'brought forth on this continent a new nation, conceived in liberty, and dedicated to the proposition that all men are created equal.';

/** |log sum exp| of a position's log-probabilities above this (in nats: 0.1% of the mass) is not a distribution. */
const NORMALIZATION_TOLERANCE = 1e-3;
/**
 * The context must make the model at least this much better than its own context-free average.
 * Measured on the probe: the shipped model (itself a weak model) 4.4. Of 24 copies of it with 200
 * bytes inverted in one spot of the graph (a run of 200, or 200 within 100 KB), 8 overflow, 2 barely
 * change (perplexity 173 and 182, gain 4.0: harmless, and left to the checksums), and 14 give finite
 * perplexities from 2,300 to 24,000 (11 of them below the uniform bound) with gains of at most 1.03.
 * A model whose output ignores its input scores exactly 1.
 */
const MIN_CONTEXT_GAIN = 1.5;

/** What the probe measured. */
export interface ProbeResult {
  tokens: number;
  perplexity: number;
  contextFreePerplexity: number;
}

export interface ProbeSetup {
  model: CausalLM;
  bosId: number;
  vocabSize: number;
  context: number;
  normalize: boolean;
}

/**
 * Score PROBE_TEXT once and refuse a model that cannot be a working language model:
 * 1. every log-probability is finite (a NaN or infinite weight reaches every later position);
 * 2. every position's distribution sums to 1 (log sum exp within 1e-3 of 0): a graph that claims
 *    `output_is_log_softmax` but emits raw logits fails here;
 * 3. the perplexity is below the vocabulary size, what picking tokens uniformly at random scores:
 *    a model worse than that on plain English has learned nothing (the shipped model scores 164;
 *    copies with 200 bytes inverted across the middle of the graph 3e26 to 4e98 or overflow, with
 *    200 random bytes NaN);
 * 4. the context helps: the perplexity is at most 1 / MIN_CONTEXT_GAIN of the perplexity under the
 *    average of the model's own predictions over the probe's positions, the same model with its
 *    context taken away. Damage to one weight matrix often leaves a finite, even sub-uniform
 *    perplexity, but predictions that move with the context at random, which on average are no
 *    better than their mean, while a working model's are far better.
 * One forward pass over 73 tokens and one sweep of its rows: 50-80 ms on 2 cores, cheap enough to run
 * on every load, checksums or not (defence in depth: a model can be damaged before its SHA256SUMS is written).
 */
export async function probeModel(setup: ProbeSetup, ids: Int32Array, model: string, fix: string): Promise<ProbeResult> {
  const input = Int32Array.from([setup.bosId, ...ids]).subarray(0, setup.context);
  const n = input.length;
  const out = await setup.model.forward({
    input_ids: int64Tensor(BigInt64Array.from(input, (id) => BigInt(id)), 1, n),
    attention_mask: int64Tensor(new BigInt64Array(n).fill(1n), 1, n),
  });
  const { data, vocab } = logProbRows(out.logits, setup.normalize);
  const fail = (what: string) =>
    new TailguardError('model', `Model "${model}" fails the sanity probe: ${what}. Its weights are damaged, or it is not a causal language model of English. ${fix}`, { file: model });

  const positions = n - 1;
  const mass = new Float64Array(vocab); // summed over positions: the mixture of their distributions, times `positions`
  let loss = 0;
  for (let i = 0; i < positions; i++) {
    const row = data.subarray(i * vocab, (i + 1) * vocab);
    let sum = 0;
    for (let v = 0; v < vocab; v++) {
      const x = row[v];
      if (!Number.isFinite(x)) throw fail(`position ${i} has a log-probability of ${x}`);
      // Log-probabilities are <= 0, so exp() cannot overflow; a row that does is not normalized anyway.
      const p = Math.exp(x);
      sum += p;
      mass[v] += p;
    }
    if (!(Math.abs(Math.log(sum)) <= NORMALIZATION_TOLERANCE)) throw fail(`position ${i}'s probabilities sum to ${sum.toPrecision(4)}, not 1`);
    loss -= row[input[i + 1]];
  }
  let contextFreeLoss = 0;
  for (let i = 0; i < positions; i++) contextFreeLoss -= Math.log(mass[input[i + 1]] / positions);
  const result = { tokens: positions, perplexity: Math.exp(loss / positions), contextFreePerplexity: Math.exp(contextFreeLoss / positions) };
  const shown = (x: number) => x.toPrecision(4);
  if (!(result.perplexity < setup.vocabSize)) {
    throw fail(`perplexity ${shown(result.perplexity)} on ${positions} tokens of plain English, worse than guessing uniformly among its ${setup.vocabSize} tokens`);
  }
  if (!(result.perplexity * MIN_CONTEXT_GAIN <= result.contextFreePerplexity)) {
    throw fail(
      `its predictions do not use the context: perplexity ${shown(result.perplexity)} on ${positions} tokens of plain English, ` +
        `${shown(result.contextFreePerplexity)} with the context averaged away (a working model is at least ${MIN_CONTEXT_GAIN} times better with it)`,
    );
  }
  return result;
}

/**
 * Whether a left-padded row gets the numbers it gets alone. Graphs with a `position_ids` input
 * (fed from the mask) and the shipped model's graph (positions from the mask inside) do; legacy
 * GPT-2 exports without that input number positions from the cache length whatever the mask
 * says, as transformers' GPT2Model does when it is given no position_ids, so padding shifts them.
 * Measured rather than guessed from names: one forward pass of the same tokens padded on the right
 * (always safe under a causal mask) and on the left, compared at the last real token.
 */
export async function leftPaddingIsSafe(model: CausalLM, ids: readonly number[], padId: number): Promise<boolean> {
  const n = ids.length;
  const pad = 3;
  const width = n + pad;
  const input = new BigInt64Array(2 * width).fill(BigInt(padId));
  const mask = new BigInt64Array(2 * width);
  ids.forEach((id, j) => {
    input[j] = input[width + pad + j] = BigInt(id);
    mask[j] = mask[width + pad + j] = 1n;
  });
  const out = await model.forward({ input_ids: int64Tensor(input, 2, width), attention_mask: int64Tensor(mask, 2, width) });
  const [, steps, vocab] = out.logits.dims as number[];
  const data = out.logits.data as Float32Array;
  const right = data.subarray((n - 1) * vocab, n * vocab);
  const left = data.subarray((steps + width - 1) * vocab, (steps + width) * vocab);
  let diff = 0;
  for (let v = 0; v < vocab; v++) diff = Math.max(diff, Math.abs(right[v] - left[v]));
  return diff < 1e-3;
}
