import { existsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { NO_SPACE_AFTER, NO_SPACE_BEFORE, joinTokens } from '../../corpus/detokenize.js';
import type { Document } from '../../corpus/document.js';
import { type ReadoutPlan, readoutPlan } from '../readout-plan.js';
import { emptyScores } from '../scores.js';
import type { ScoreOptions } from '../types.js';
import type { DecodingSession, PriorIdentity, PriorModel, TokenDistribution, TokenizedText, TokenScores } from '../types.js';
import { NGramCounts } from './counts.js';
import { NGramDistribution } from './distribution.js';
import { decodeModel, encodeModel, readModelFile, sha256, writeModelFile } from './file.js';
import { KneserNeyModel } from './kneser-ney.js';
import { wordSpans, words } from '../../corpus/words.js';
import { BOS, UNK, Vocabulary } from './vocabulary.js';

export interface NGramTrainOptions {
  /** Highest n-gram order (3 = trigram). */
  order: number;
  /** Words seen fewer times than this become `<unk>`. */
  minCount: number;
  /** Recorded in the model file, so a cache trained on other data is not reused. */
  trainedOn: unknown;
}

/**
 * The built-in prior: a word-level interpolated modified Kneser-Ney model. It has no context
 * limit, so documents of any length are scored in one pass.
 */
export class NGramPrior implements PriorModel {
  readonly identity: PriorIdentity;
  readonly model: KneserNeyModel;
  private readonly bytes: Buffer;

  private constructor(model: KneserNeyModel, bytes: Buffer, options: NGramTrainOptions) {
    this.model = model;
    this.bytes = bytes;
    this.identity = {
      type: 'ngram',
      name: `kneser-ney-${model.order}gram`,
      sha256: sha256(bytes),
      vocabSize: model.vocab.size,
      contextSize: model.order - 1,
      details: { order: model.order, minCount: options.minCount, trainedOn: options.trainedOn, trainingTokens: model.trainingTokens, ngrams: model.sizes, discounts: model.discounts },
    };
  }

  /** Train on a corpus: two passes over it (vocabulary, then counts). */
  static async train(corpus: () => AsyncIterable<Document>, options: NGramTrainOptions): Promise<NGramPrior> {
    const freq = new Map<string, number>();
    for await (const doc of corpus()) for (const w of words(doc.text)) freq.set(w, (freq.get(w) ?? 0) + 1);
    const vocab = Vocabulary.fromCounts(freq, options.minCount);
    const counts = new NGramCounts(options.order);
    for await (const doc of corpus()) counts.add(words(doc.text).map((w) => vocab.id(w)));
    const grams = counts.grams();
    const bytes = encodeModel(grams, counts.tokens, vocab, options);
    return new NGramPrior(new KneserNeyModel(grams, counts.tokens, vocab), bytes, options);
  }

  static async load(path: string): Promise<NGramPrior> {
    const bytes = await readModelFile(path);
    const { header, grams, vocab } = decodeModel(path, bytes);
    return new NGramPrior(new KneserNeyModel(grams, header.tokens, vocab), bytes, header);
  }

  /**
   * Load `path` if it holds a model made with these options; otherwise train and save it there.
   * Returns whether the model was trained.
   */
  static async loadOrTrain(path: string, corpus: () => AsyncIterable<Document>, options: NGramTrainOptions): Promise<{ prior: NGramPrior; trained: boolean }> {
    if (existsSync(path)) {
      const bytes = await readModelFile(path);
      const { header, grams, vocab } = decodeModel(path, bytes);
      if (header.order === options.order && header.minCount === options.minCount && isDeepStrictEqual(header.trainedOn, options.trainedOn)) {
        return { prior: new NGramPrior(new KneserNeyModel(grams, header.tokens, vocab), bytes, header), trained: false };
      }
    }
    const prior = await NGramPrior.train(corpus, options);
    await prior.save(path);
    return { prior, trained: true };
  }

  async save(path: string): Promise<void> {
    await writeModelFile(path, this.bytes);
  }

  /** Words, numbers and single marks, never across whitespace (corpus/words.ts). */
  readonly tokensSplitAtWhitespace = true;

  tokenize(text: string): TokenizedText {
    const { forms, starts, ends } = wordSpans(text);
    const ids = new Int32Array(forms.length);
    for (let t = 0; t < forms.length; t++) ids[t] = this.model.vocab.id(forms[t]);
    return { ids, starts, ends };
  }

  /** Reads out what the options ask (see ReadoutPlan): the log-probability alone is the cheap part. */
  async score(docs: readonly TokenizedText[], options: ScoreOptions): Promise<TokenScores[]> {
    const plan = readoutPlan(options);
    return docs.map((doc) => this.scoreOne(doc.ids, options.topK, plan));
  }

  private scoreOne(ids: Int32Array, k: number, plan: ReadoutPlan): TokenScores {
    const n = ids.length;
    const out = emptyScores(n, k, plan.moments);
    const m = this.model;
    for (let i = 0; i < n; i++) m.scorePosition(ids, i, k, out, plan);
    return out;
  }

  tokenText(id: number): string {
    return this.model.vocab.form(id);
  }

  /**
   * Token i's span with the spacing the new word needs on both sides: the gap before it is
   * respaced (no space before closing punctuation, after an opening bracket), and a word that
   * would touch a neighbour it reads as one word with (`"so` -> `a so`, `U.S.` -> `U Thant S.`)
   * gets a space, so the edited text re-tokenizes into the same words with the new one in place.
   */
  replacementSpan(text: string, tokens: TokenizedText, i: number, id: number): { start: number; end: number; text: string } {
    const form = this.model.vocab.form(id);
    const { starts, ends } = tokens;
    const next = i + 1 < starts.length && starts[i + 1] === ends[i] ? text.slice(starts[i + 1], ends[i + 1]) : null;
    const tail = next !== null && fuses(form, next) ? ' ' : '';
    const gapStart = i > 0 ? ends[i - 1] : 0;
    const gap = text.slice(gapStart, starts[i]);
    // Only a gap of plain spaces is respaced; line and paragraph breaks are kept as they are.
    if (/[^ ]/.test(gap) || i === 0) return { start: starts[i], end: ends[i], text: form + tail };
    const previous = text.slice(starts[i - 1], ends[i - 1]);
    const glued = (NO_SPACE_BEFORE.has(form.toLowerCase()) || NO_SPACE_AFTER.has(previous)) && !fuses(previous, form);
    return { start: gapStart, end: ends[i], text: (glued ? '' : gap || ' ') + form + tail };
  }

  isEmittable(id: number): boolean {
    return id !== BOS && id !== UNK && id >= 0 && id < this.model.vocab.size;
  }

  continuationText(prefix: Int32Array, generated: Int32Array): string {
    const forms = (ids: Int32Array) => Array.from(ids, (id) => this.model.vocab.form(id));
    const head = joinTokens(forms(prefix));
    // joinTokens only appends, so the continuation is what the longer join adds to the shorter.
    return joinTokens([...forms(prefix), ...forms(generated)]).slice(head.length);
  }

  /** The next-token distribution after `history` (the whole history; only the last n-1 matter). */
  distribution(history: ArrayLike<number>): NGramDistribution {
    return new NGramDistribution(this.model, history);
  }

  async beginDecoding(prompts: readonly Int32Array[]): Promise<DecodingSession> {
    const sequences = prompts.map((p) => Array.from(p));
    return {
      next: async (): Promise<TokenDistribution[]> => sequences.map((s) => new NGramDistribution(this.model, s, true)),
      push: async (tokens) => tokens.forEach((t, i) => sequences[i].push(t)),
      close: async () => {},
    };
  }

  async dispose(): Promise<void> {}
}

/** Whether two words written together would read as something else than these two words. */
function fuses(left: string, right: string): boolean {
  const w = words(left + right);
  return w.length !== 2 || w[0] !== left || w[1] !== right;
}
