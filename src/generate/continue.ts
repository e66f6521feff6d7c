import type { Rng } from '../random.js';
import type { PriorModel, SamplingOptions, TokenizedText } from '../prior/types.js';

export interface SyntheticOptions extends SamplingOptions {
  /** Tokens of each document kept as the prompt. */
  promptTokens: number;
  /**
   * End a continuation where the prior draws one of its end tokens (PriorModel.endIds), as the
   * model itself would end the document. Default false: always continue to the cap (length-matched
   * counterparts, as the pipeline's synthetic view wants; see generate/config.ts).
   */
  stopAtEnd?: boolean;
}

export interface Continuation {
  text: string;
  promptTokens: number;
  generatedTokens: number;
  /** Whether the prior drew an end token before the cap (the end token itself is not written). */
  stoppedAtEnd: boolean;
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
 * continues it up to the document's own token length, or until it draws an end token (a neural
 * prior's `<|endoftext|>`, `</s>`: the model ending its document). All documents decode together
 * (one batch for neural priors); each draws from its own random stream and a row that has
 * stopped only gets discarded filler, so the batch does not matter.
 */
export async function generateContinuations(
  prior: PriorModel,
  docs: readonly { text: string; tokens: TokenizedText; rng: Rng }[],
  options: SyntheticOptions,
): Promise<Continuation[]> {
  if (docs.length === 0) return [];
  const prompts = docs.map((d) => d.tokens.ids.subarray(0, promptLength(d.tokens.ids.length, options.promptTokens)));
  const caps = docs.map((d, i) => Math.max(0, d.tokens.ids.length - prompts[i].length));
  const generated = caps.map((t) => new Int32Array(t));
  // Tokens generated per row: the cap, or fewer once the row draws an end token.
  const lengths = caps.slice();
  const ends = new Set(options.stopAtEnd === true ? (prior.endIds ?? []) : []);
  const session = await prior.beginDecoding(prompts, { endTokens: ends.size > 0 });
  try {
    for (let step = 0; step < Math.max(...lengths); step++) {
      const dists = await session.next();
      const chosen = dists.map((dist, i) => {
        if (step < lengths[i]) {
          const id = dist.sample(docs[i].rng, options);
          if (!ends.has(id)) return (generated[i][step] = id);
          lengths[i] = step;
        }
        return generated[i][lengths[i] - 1] ?? prompts[i][prompts[i].length - 1]; // stopped: filler, discarded
      });
      if (step + 1 < Math.max(...lengths)) await session.push(chosen);
    }
  } finally {
    await session.close();
  }
  return docs.map((d, i) => {
    const prompt = prompts[i];
    const head = d.text.slice(0, prompt.length > 0 ? d.tokens.ends[prompt.length - 1] : 0);
    const text = head + prior.continuationText(prompt, generated[i].subarray(0, lengths[i]));
    return { text, promptTokens: prompt.length, generatedTokens: lengths[i], stoppedAtEnd: lengths[i] < caps[i] };
  });
}
