import { words } from '../corpus/words.js';
import { UNK, Vocabulary } from '../prior/ngram/vocabulary.js';
import { KneserNeyIdModel, heldoutPerplexity } from '../prior/ngram/id-model.js';
import { type Rng, rngFor } from '../random.js';

interface Fold {
  vocab: Vocabulary;
  test: Int32Array[];
  trainDocs: number[];
}

/** 0 or 1 for each of n documents: a seeded shuffle cut in the middle. */
function randomHalves(n: number, rng: Rng): number[] {
  const order = Array.from({ length: n }, (_, d) => d);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const side = new Array<number>(n).fill(0);
  order.slice(0, Math.floor(n / 2)).forEach((d) => (side[d] = 1));
  return side;
}

/**
 * The CPU-scale analogue of the paper's training runs: train a Kneser-Ney n-gram model on a
 * corpus and measure its perplexity on real text it never saw. Each split cuts the documents in
 * two folds: train on one fold's version of the corpus, test on the other fold's human text, and
 * the other way round; the perplexity is over both test folds' tokens. Split 0 takes the documents
 * at even and odd positions, later splits random halves (seeded), so the spread of the result
 * covers the split as well as the edit seed.
 *
 * The vocabulary of each fold is fixed from its human text (every type), whatever corpus the
 * model trains on, so every strategy is scored on the same test tokens (held-out words outside
 * it are not scored) and a word a strategy lost costs the floor.
 */
export class DownstreamCheck {
  private readonly splits: Fold[][];

  constructor(
    humanTexts: readonly string[],
    private readonly order: number,
    private readonly floor: number,
    splits = 1,
    seed = 0,
  ) {
    const tokenized = humanTexts.map(words);
    this.splits = Array.from({ length: splits }, (_, s) => {
      const side = s === 0 ? tokenized.map((_, d) => d % 2) : randomHalves(tokenized.length, rngFor(seed, 'downstream-split', String(s)));
      const halves = [0, 1].map((f) => tokenized.flatMap((_, d) => (side[d] === f ? [d] : [])));
      return [0, 1].map((f) => {
        const freq = new Map<string, number>();
        for (const d of halves[f]) for (const w of tokenized[d]) freq.set(w, (freq.get(w) ?? 0) + 1);
        const vocab = Vocabulary.fromCounts(freq, 1);
        return { vocab, trainDocs: halves[f], test: halves[1 - f].map((d) => Int32Array.from(tokenized[d], (w) => vocab.id(w))) };
      });
    });
  }

  /** Held-out perplexity of models trained on `texts` (one text per document, same order as the human corpus), one per split. */
  perplexities(texts: readonly string[]): number[] {
    return this.splits.map((folds) => this.perplexityOf(folds, texts));
  }

  private perplexityOf(folds: Fold[], texts: readonly string[]): number {
    let nll = 0;
    let n = 0;
    for (const fold of folds) {
      const train = fold.trainDocs.map((d) => Int32Array.from(words(texts[d]), (w) => fold.vocab.id(w)));
      const model = new KneserNeyIdModel(train, this.order, fold.vocab);
      const tokens = fold.test.reduce((s, doc) => s + doc.reduce((c, id) => c + (id !== UNK ? 1 : 0), 0), 0);
      nll += Math.log(heldoutPerplexity(model, fold.test, this.floor, fold.vocab.size)) * tokens;
      n += tokens;
    }
    return Math.exp(nll / n);
  }
}
