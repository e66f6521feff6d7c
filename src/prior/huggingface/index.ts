import type { TransformersPriorOptions } from '../transformers/load.js';
import { TransformersPrior } from '../transformers/prior.js';
import { huggingfaceGraphOpener } from './open-graph.js';

/** Options of the @huggingface/transformers backend: the default backend's, and the device to run on. */
export interface HuggingfacePriorOptions extends TransformersPriorOptions {
  /** onnxruntime execution provider: cpu (default), cuda, webgpu, ... as @huggingface/transformers names them. */
  device?: string;
}

/**
 * The transformers prior with its graph opened by @huggingface/transformers (onnxruntime-node 1.30:
 * newer operators such as 4-bit MatMulNBits, CUDA and WebGPU providers) instead of
 * @xenova/transformers. Only the session differs: folder checks and checksums, tokenizer and
 * spans, the feeds of each forward pass, windows, read-out, decoding and the sanity probe are the
 * default backend's own code.
 */
export async function loadHuggingfacePrior(options: HuggingfacePriorOptions): Promise<TransformersPrior> {
  const { device = 'cpu', ...rest } = options;
  return TransformersPrior.load(rest, { name: 'huggingface', openGraph: huggingfaceGraphOpener(device), details: { device } });
}
