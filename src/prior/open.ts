import { describeCorpus, documentsOf } from '../corpus/read.js';
import { NGramPrior } from './ngram/prior.js';
import type { PriorModel } from './types.js';
import type { PriorConfig } from './config.js';
import { resolveResource } from '../package-resource.js';
import { TailguardError } from '../errors.js';

/** Build the prior a pipeline names: train or load the n-gram model, or load a transformers.js model. */
export async function openPrior(config: PriorConfig, log: (message: string) => void): Promise<PriorModel> {
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
  if (config.type === 'ngram') {
    const { prior, trained } = await NGramPrior.loadOrTrain(config.file, () => documentsOf(config.train), {
      order: config.order,
      minCount: config.minCount,
      trainedOn: config.train,
    });
    log(`${trained ? 'trained' : 'loaded'} ${prior.identity.name} (${describeCorpus(config.train)}, vocabulary ${prior.identity.vocabSize}) ${trained ? 'and saved to' : 'from'} ${config.file} in ${seconds()}s`);
    return prior;
  }
  const { type: _type, backend, device, ...options } = config;
  if (backend === 'xenova' && device !== undefined && device !== 'cpu') {
    throw new TailguardError('config', `prior.device "${device}" needs "backend": "huggingface": the default backend (@xenova/transformers) runs on the CPU only`);
  }
  // Loaded only when asked for: transformers.js and onnxruntime take 0.27 s to import, which every
  // n-gram run and each of its worker processes would pay for nothing (the second backend, its own
  // onnxruntime, only when a pipeline names it).
  const { TransformersPrior } = await import('./transformers/index.js');
  const model = resolveResource(options.model);
  const prior =
    backend === 'huggingface'
      ? await (await importHuggingface()).loadHuggingfacePrior({ ...options, model, device })
      : await TransformersPrior.load({ ...options, model });
  const library = backend === 'huggingface' ? `@huggingface/transformers on ${device ?? 'cpu'}` : 'transformers.js';
  log(`loaded ${prior.identity.name} (${library}, vocabulary ${prior.identity.vocabSize}, context ${prior.identity.contextSize}) in ${seconds()}s`);
  for (const warning of prior.warnings) log(`warning: ${warning}`);
  return prior;
}

/**
 * The second backend's module. @huggingface/transformers is an optional dependency: its
 * onnxruntime-node install step downloads CUDA binaries unless told not to, and where that fails
 * npm leaves the package out rather than failing the whole install.
 */
async function importHuggingface(): Promise<typeof import('./huggingface/index.js')> {
  try {
    return await import('./huggingface/index.js');
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || !String((error as Error).message).includes('@huggingface/transformers')) throw error;
    throw new TailguardError(
      'config',
      '"backend": "huggingface" needs the optional package @huggingface/transformers, which is not installed (npm leaves it out when its onnxruntime-node install step fails). ' +
        'Add "onnxruntime-node-install=skip" to your .npmrc (CPU only; no download) and run npm install again, or use the default backend.',
    );
  }
}

