import type { Rng } from '../../random.js';
import { NGramCounts } from './counts.js';
import { KneserNeyModel } from './kneser-ney.js';
import { UNK, type Vocabulary } from './vocabulary.js';

/** A document as word ids of a fixed vocabulary. */
export type IdDocument = Int32Array;

/** A model over word ids: what held-out perplexity needs of it. */
export interface IdModel {
  /** P(doc[i] | doc[<i]) as the model gives it (no floor; 0 is possible for an unsmoothed model). */
  prob(doc: IdDocument, i: number): number;
}

/**
 * The built-in Kneser-Ney model trained on documents of word ids over a fixed vocabulary: the
 * model `compare`'s downstream check trains on each edited corpus and the simulator trains each
 * generation.
 */
export class KneserNeyIdModel implements IdModel {
  readonly model: KneserNeyModel;

  constructor(corpus: readonly IdDocument[], order: number, vocab: Vocabulary) {
    const counts = new NGramCounts(order);
    for (const doc of corpus) counts.add(doc);
    this.model = new KneserNeyModel(counts.grams(), counts.tokens, vocab);
  }

  prob(doc: IdDocument, i: number): number {
    return this.model.probOf(doc, i, doc[i]);
  }

  /** A document of `length` words drawn from the beginning of a document, at `temperature`. */
  sampleDoc(length: number, rng: Rng, temperature: number): IdDocument {
    const out = new Int32Array(length);
    const options = { temperature, topK: 0, topP: 1 };
    for (let i = 0; i < length; i++) out[i] = this.model.sample(out.subarray(0, i), rng, options, emittable);
    return out;
  }
}

/** `<s>` and `<unk>` are never written into a synthetic document. */
const emittable = (id: number) => id > UNK;

/**
 * Perplexity of held-out documents: the model mixes in a floor, (1 - f)·p + f / V over the V
 * emittable words of the vocabulary, so a word the model lost costs a lot but never infinity.
 * Held-out words outside that vocabulary (`<unk>`) are not scored: their cost would only
 * measure the floor.
 */
export function heldoutPerplexity(model: IdModel, heldout: readonly IdDocument[], floor: number, vocabSize: number): number {
  const uniform = floor / (vocabSize - 2);
  let nll = 0;
  let n = 0;
  for (const doc of heldout) {
    for (let i = 0; i < doc.length; i++) {
      if (doc[i] === UNK) continue;
      nll -= Math.log((1 - floor) * model.prob(doc, i) + uniform);
      n++;
    }
  }
  return Math.exp(nll / n);
}
