import { documentsOf, NGramPrior } from '../../src/index.js';

export const TEST_MODEL_FILE = '.cache/test/brown-train-3gram.tgkn.gz';

/** The real trigram prior on the Brown train split, trained once and cached for every test file. */
export async function brownPrior(): Promise<NGramPrior> {
  const train = { format: 'brown', split: 'train' } as const;
  const { prior } = await NGramPrior.loadOrTrain(TEST_MODEL_FILE, () => documentsOf(train), { order: 3, minCount: 2, trainedOn: train });
  return prior;
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}
