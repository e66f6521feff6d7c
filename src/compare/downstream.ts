import { words } from '../corpus/words.js';
import { UNK, Vocabulary } from '../prior/ngram/vocabulary.js';
import { KneserNeyIdModel, heldoutPerplexity } from '../prior/ngram/id-model.js';

/**
 * The CPU-scale analogue of the paper's training runs: train a Kneser-Ney n-gram model on a
 * corpus and measure its perplexity on real text it never saw. Two folds (documents at even and
 * odd positions): train on one fold's version of the corpus, test on the other fold's human text,
 * and the other way round; the perplexity is over both test folds' tokens.
 *
 * The vocabulary of each fold is fixed from its human text (every type), whatever corpus the
 * model trains on, so every strategy is scored on the same test tokens (held-out words outside
 * it are not scored) and a word a strategy lost costs the floor.
 */
export class DownstreamCheck {
  private readonly folds: { vocab: Vocabulary; test: Int32Array[]; trainDocs: number[] }[];

  constructor(
    humanTexts: readonly string[],
    private readonly order: number,
    private readonly floor: number,
  ) {
    const tokenized = humanTexts.map(words);
    const parity = [0, 1].map((f) => tokenized.flatMap((_, d) => (d % 2 === f ? [d] : [])));
    this.folds = [0, 1].map((f) => {
      const freq = new Map<string, number>();
      for (const d of parity[f]) for (const w of tokenized[d]) freq.set(w, (freq.get(w) ?? 0) + 1);
      const vocab = Vocabulary.fromCounts(freq, 1);
      return { vocab, trainDocs: parity[f], test: parity[1 - f].map((d) => Int32Array.from(tokenized[d], (w) => vocab.id(w))) };
    });
  }

  /** Held-out perplexity of models trained on `texts` (one text per document, same order as the human corpus). */
  perplexity(texts: readonly string[]): number {
    let nll = 0;
    let n = 0;
    for (const fold of this.folds) {
      const train = fold.trainDocs.map((d) => Int32Array.from(words(texts[d]), (w) => fold.vocab.id(w)));
      const model = new KneserNeyIdModel(train, this.order, fold.vocab);
      const tokens = fold.test.reduce((s, doc) => s + doc.reduce((c, id) => c + (id !== UNK ? 1 : 0), 0), 0);
      nll += Math.log(heldoutPerplexity(model, fold.test, this.floor, fold.vocab.size)) * tokens;
      n += tokens;
    }
    return Math.exp(nll / n);
  }
}
