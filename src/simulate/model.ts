import { type IdModel, KneserNeyIdModel } from '../prior/ngram/id-model.js';
import type { Vocabulary } from '../prior/ngram/vocabulary.js';
import type { Rng } from '../random.js';
import type { ModelConfig } from './config.js';
import type { Corpus, Doc } from './data.js';
import { MleModel } from './mle.js';

/** What the simulator asks of a model of one generation. */
export interface SimModel extends IdModel {
  /** A document of `length` words drawn from the beginning of a document, at `temperature`. */
  sampleDoc(length: number, rng: Rng, temperature: number): Doc;
}

export function trainModel(config: ModelConfig, corpus: Corpus, vocab: Vocabulary): SimModel {
  return config.type === 'mle' ? new MleModel(corpus, config.order, vocab.size) : new KneserNeyIdModel(corpus, config.order, vocab);
}
