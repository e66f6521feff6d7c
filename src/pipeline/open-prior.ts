import { documentsOf, describeCorpus } from '../corpus/read.js';
import { TailguardError } from '../errors.js';
import { NGramPrior } from '../prior/ngram/prior.js';
import type { PriorModel } from '../prior/types.js';
import type { PriorConfig } from './config.js';

/** Build the prior a pipeline names: train or load the n-gram model, or load a transformers.js model. */
export async function openPrior(config: PriorConfig, log: (message: string) => void): Promise<PriorModel> {
  if (config.type === 'ngram') {
    const started = Date.now();
    const { prior, trained } = await NGramPrior.loadOrTrain(config.file, () => documentsOf(config.train), {
      order: config.order,
      minCount: config.minCount,
      trainedOn: config.train,
    });
    log(`${trained ? 'trained' : 'loaded'} ${prior.identity.name} (${describeCorpus(config.train)}, vocabulary ${prior.identity.vocabSize}) ${trained ? 'and saved to' : 'from'} ${config.file} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return prior;
  }
  let module: { TransformersPrior: { load(options: Record<string, unknown>): Promise<PriorModel> } };
  try {
    const entry = '../prior/transformers/index.js'; // not every build ships it yet
    module = await import(entry);
  } catch (e) {
    throw new TailguardError('model', 'the transformers.js prior is not available in this build', { cause: e });
  }
  return module.TransformersPrior.load(config);
}
