import type { TokenSample } from '../audit/report.js';
import type { AppliedEdit } from '../edit/apply.js';
import type { TokenizedText, TokenScores } from '../prior/types.js';

/** Documents and tokens per document the HTML report shows token by token. */
export const SAMPLE_DOCS = 20;
export const SAMPLE_TOKENS = 400;

/** The first SAMPLE_TOKENS tokens of a document with ranks and edits, for the GLTR-style view. */
export function tokenSample(id: string, text: string, tokens: TokenizedText, scores: TokenScores, edits: readonly AppliedEdit[]): TokenSample {
  const byPosition = new Map(edits.map((e) => [e.position, e]));
  const n = Math.min(tokens.ids.length, SAMPLE_TOKENS);
  const pieces: TokenSample['pieces'] = [];
  for (let i = 0; i < n; i++) {
    const e = byPosition.get(i);
    pieces.push({
      text: text.slice(i === 0 ? 0 : tokens.ends[i - 1], tokens.ends[i]),
      rank: scores.rank[i],
      p: Math.exp(scores.logProb[i]),
      selected: e !== undefined,
      ...(e?.changed && { replacement: e.replacement.trim() }),
    });
  }
  if (n < tokens.ids.length) pieces.push({ text: ` … (${tokens.ids.length - n} more tokens)`, rank: null, p: 0, selected: false });
  return { id, pieces };
}
