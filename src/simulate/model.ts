import { NGramCounts } from '../prior/ngram/counts.js';
import { KneserNeyModel } from '../prior/ngram/kneser-ney.js';
import { UNK, type Vocabulary } from '../prior/ngram/vocabulary.js';
import type { Rng } from '../random.js';
import type { ModelConfig } from './config.js';
import type { Corpus, Doc } from './data.js';
import { MleModel } from './mle.js';

/** What the simulator asks of a model of one generation. */
export interface SimModel {
  /** P(doc[i] | doc[<i]) as the model gives it (no floor; 0 is possible for MLE). */
  prob(doc: Doc, i: number): number;
  /** A document of `length` words drawn from the beginning of a document, at `temperature`. */
  sampleDoc(length: number, rng: Rng, temperature: number): Doc;
}

/** The built-in Kneser-Ney model over the fixed generation-0 vocabulary. */
export class KneserNeySimModel implements SimModel {
  readonly model: KneserNeyModel;

  constructor(corpus: Corpus, order: number, vocab: Vocabulary) {
    const counts = new NGramCounts(order);
    for (const doc of corpus) counts.add(doc);
    this.model = new KneserNeyModel(counts.grams(), counts.tokens, vocab);
  }

  prob(doc: Doc, i: number): number {
    return this.model.probOf(doc, i, doc[i]);
  }

  sampleDoc(length: number, rng: Rng, temperature: number): Doc {
    const out = new Int32Array(length);
    const options = { temperature, topK: 0, topP: 1 };
    for (let i = 0; i < length; i++) out[i] = this.model.sample(out.subarray(0, i), rng, options, emittable);
    return out;
  }
}

/** `<s>` and `<unk>` are never written into a synthetic document. */
const emittable = (id: number) => id > UNK;

export function trainModel(config: ModelConfig, corpus: Corpus, vocab: Vocabulary): SimModel {
  return config.type === 'mle' ? new MleModel(corpus, config.order, vocab.size) : new KneserNeySimModel(corpus, config.order, vocab);
}
