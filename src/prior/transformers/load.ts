import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, env } from '@xenova/transformers';
import { TailguardError } from '../../errors.js';
import type { ByteLevelTokenizerLike } from './tokenizer.js';
import type { CausalLM } from './model.js';

/** Options of {@link TransformersPrior.load}. */
export interface TransformersPriorOptions {
  /** A local model folder (default), or a Hugging Face hub id when `allowRemote` is true. */
  model: string;
  /** Allow downloading `model` as a hub id. Off by default: runs stay offline and reproducible. */
  allowRemote?: boolean;
  /** Load `onnx/decoder_model_merged_quantized.onnx` instead of the fp32 graph. Default false. */
  quantized?: boolean;
  /** Advance of the scoring window for documents longer than the context. Default context / 2. */
  windowStride?: number;
  /** Windows per forward pass when scoring. Default 16. */
  batchSize?: number;
}

/** What the loader hands to the prior. */
export interface LoadedModel {
  name: string;
  folder: string | null;
  onnxFile: string | null;
  config: { vocab_size: number; n_positions: number; [key: string]: unknown };
  tokenizer: ByteLevelTokenizerLike;
  model: CausalLM;
}

const REBUILD_HINT = 'Build the bundled model with "make model" (bash tools/model/build.sh), or pass a folder holding a transformers.js causal LM.';

function onnxName(quantized: boolean): string {
  return `onnx/decoder_model_merged${quantized ? '_quantized' : ''}.onnx`;
}

/** The files a local folder must hold; every missing one is named in a single error. */
function checkFolder(folder: string, quantized: boolean): void {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new TailguardError('model', `Model folder "${folder}" does not exist. ${REBUILD_HINT}`, { file: folder });
  }
  const needed = ['config.json', 'tokenizer.json', 'tokenizer_config.json', onnxName(quantized)];
  const missing = needed.filter((f) => !existsSync(join(folder, f)));
  if (missing.length > 0) {
    const hint = quantized && missing.includes(onnxName(true)) ? ' (or load the fp32 graph with quantized: false)' : '';
    throw new TailguardError(
      'model',
      `Model folder "${folder}" is missing ${missing.join(', ')}${hint}. ${REBUILD_HINT}`,
      { file: join(folder, missing[0]) },
    );
  }
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new TailguardError('model', `Model file "${file}" is not valid JSON: ${(cause as Error).message}. ${REBUILD_HINT}`, { file, cause });
  }
}

/**
 * transformers.js v2 only reads models through its global `env`; set it for one load and put it
 * back, so loading a prior does not change how other code resolves models.
 */
async function withEnv<T>(settings: { allowRemoteModels: boolean; localModelPath?: string }, run: () => Promise<T>): Promise<T> {
  const saved = { allowRemoteModels: env.allowRemoteModels, localModelPath: env.localModelPath };
  env.allowRemoteModels = settings.allowRemoteModels;
  if (settings.localModelPath !== undefined) env.localModelPath = settings.localModelPath;
  try {
    return await run();
  } finally {
    env.allowRemoteModels = saved.allowRemoteModels;
    env.localModelPath = saved.localModelPath;
  }
}

/** Load tokenizer, model and config from a local folder or (if allowed) the hub. */
export async function loadModel(options: TransformersPriorOptions): Promise<LoadedModel> {
  const quantized = options.quantized ?? false;
  const folder = resolve(options.model);
  const local = existsSync(folder) || !options.allowRemote;
  if (local) {
    checkFolder(folder, quantized);
    const config = await readJson(join(folder, 'config.json'));
    await readJson(join(folder, 'tokenizer.json'));
    await readJson(join(folder, 'tokenizer_config.json'));
    const id = basename(folder);
    const loaded = await withEnv({ allowRemoteModels: false, localModelPath: dirname(folder) + '/' }, async () => {
      let tokenizer: unknown;
      try {
        tokenizer = await AutoTokenizer.from_pretrained(id);
      } catch (cause) {
        throw new TailguardError('model', `Could not load the tokenizer of "${folder}": ${(cause as Error).message}. ${REBUILD_HINT}`, { file: join(folder, 'tokenizer.json'), cause });
      }
      let model: unknown;
      const onnxFile = join(folder, onnxName(quantized));
      try {
        model = await AutoModelForCausalLM.from_pretrained(id, { quantized });
      } catch (cause) {
        throw new TailguardError('model', `Could not load "${onnxFile}" (missing, truncated or not an ONNX graph?): ${(cause as Error).message}. ${REBUILD_HINT}`, { file: onnxFile, cause });
      }
      return { tokenizer, model };
    });
    return {
      name: id,
      folder,
      onnxFile: join(folder, onnxName(quantized)),
      config: validateConfig(config, join(folder, 'config.json')),
      tokenizer: loaded.tokenizer as ByteLevelTokenizerLike,
      model: loaded.model as CausalLM,
    };
  }
  // A hub id: only with allowRemote (checked above). transformers.js caches the files in env.cacheDir.
  const id = options.model;
  const loaded = await withEnv({ allowRemoteModels: true }, async () => {
    try {
      const tokenizer = await AutoTokenizer.from_pretrained(id);
      const model = await AutoModelForCausalLM.from_pretrained(id, { quantized });
      return { tokenizer, model };
    } catch (cause) {
      throw new TailguardError('model', `Could not load model "${id}" from the hub: ${(cause as Error).message}`, { cause });
    }
  });
  const config = (loaded.model as unknown as { config: Record<string, unknown> }).config;
  const cached = join(String(env.cacheDir ?? ''), id, onnxName(quantized));
  return {
    name: id,
    folder: null,
    onnxFile: existsSync(cached) ? cached : null,
    config: validateConfig(config, `${id}/config.json`),
    tokenizer: loaded.tokenizer as unknown as ByteLevelTokenizerLike,
    model: loaded.model as unknown as CausalLM,
  };
}

function validateConfig(config: Record<string, unknown>, file: string): LoadedModel['config'] {
  const vocab = config.vocab_size;
  const context = config.n_positions ?? config.max_position_embeddings;
  if (typeof vocab !== 'number' || typeof context !== 'number') {
    throw new TailguardError('model', `"${file}" must give vocab_size and n_positions (numbers). ${REBUILD_HINT}`, { file });
  }
  return { ...config, vocab_size: vocab, n_positions: context };
}

/** sha256 of a file, streamed (the ONNX graph is tens of megabytes). */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
