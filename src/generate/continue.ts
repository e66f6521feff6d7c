import type { Rng } from '../random.js';
import type { PriorModel, SamplingOptions, TokenizedText } from '../prior/types.js';

export interface SyntheticOptions extends SamplingOptions {
  /** Tokens of each document kept as the prompt. */
  promptTokens: number;
}

export interface Continuation {
  text: string;
  promptTokens: number;
  generatedTokens: number;
}

/**
 * How many tokens of a document of n tokens form its prompt: `promptTokens`, but never more
 * than half the document, and at least one token.
 */
export function promptLength(n: number, promptTokens: number): number {
  return Math.max(1, Math.min(promptTokens, Math.floor(n / 2)));
}

/**
 * Fully synthetic counterparts: each document keeps its first tokens as a prompt and the prior
 * continues it to the document's own token length. All documents decode together (one batch
 * for neural priors); each draws from its own random stream, so the batch does not matter.
 */
export async function generateContinuations(
  prior: PriorModel,
  docs: readonly { text: string; tokens: TokenizedText; rng: Rng }[],
  options: SyntheticOptions,
): Promise<Continuation[]> {
  if (docs.length === 0) return [];
  const prompts = docs.map((d) => d.tokens.ids.subarray(0, promptLength(d.tokens.ids.length, options.promptTokens)));
  const targets = docs.map((d, i) => Math.max(0, d.tokens.ids.length - prompts[i].length));
  const generated = targets.map((t) => new Int32Array(t));
  const steps = Math.max(...targets);
  const session = await prior.beginDecoding(prompts);
  try {
    for (let step = 0; step < steps; step++) {
      const dists = await session.next();
      const chosen = dists.map((dist, i) => {
        if (step >= targets[i]) return generated[i][targets[i] - 1] ?? prompts[i][prompts[i].length - 1]; // finished: filler, discarded
        return (generated[i][step] = dist.sample(docs[i].rng, options));
      });
      if (step + 1 < steps) await session.push(chosen);
    }
  } finally {
    await session.close();
  }
  return docs.map((d, i) => {
    const prompt = prompts[i];
    const head = d.text.slice(0, prompt.length > 0 ? d.tokens.ends[prompt.length - 1] : 0);
    return { text: head + prior.continuationText(prompt, generated[i]), promptTokens: prompt.length, generatedTokens: targets[i] };
  });
}
