import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AutoConfig, AutoModelForCausalLM, AutoTokenizer, env } from '@xenova/transformers';
import { TailguardError } from '../../errors.js';
import { sha256File, unverifiedWarning, verifyChecksums } from './checksums.js';
import type { CausalLM } from './model.js';
import { xenovaCausalLM } from './xenova-model.js';
import { quietLibraries } from './quiet-libraries.js';
import type { ByteLevelTokenizerLike } from './tokenizer.js';

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
  /** sha256 of onnxFile, hashed once: by the checksum check when the folder has a manifest. */
  onnxSha256: string;
  /** Whether SHA256SUMS verified every file the load read ('none' for a hub model). */
  checksums: 'verified' | 'partial' | 'none';
  /** Said to the user once the model is open (e.g. that nothing verified its files). */
  warnings: string[];
  config: { vocab_size: number; n_positions: number; [key: string]: unknown };
  tokenizer: ByteLevelTokenizerLike;
  model: CausalLM;
}

const REBUILD_HINT = 'Build the bundled model with "make model" (bash tools/model/build.sh), or pass a folder holding a transformers.js causal LM.';
/** For a folder whose files are damaged rather than missing. */
export const RESTORE_HINT = 'Restore the folder from a clean copy (for the shipped model: git checkout models/brown-gpt-5m, or reinstall Tailguard) or rebuild it with "make model" (bash tools/model/build.sh).';

function onnxName(quantized: boolean): string {
  return `onnx/decoder_model_merged${quantized ? '_quantized' : ''}.onnx`;
}

/** The files a local folder must hold; every missing one is named in a single error. */
function checkFolder(folder: string, quantized: boolean): string[] {
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
  // transformers.js also reads generation_config.json when there is one.
  return existsSync(join(folder, 'generation_config.json')) ? [...needed.slice(0, 1), 'generation_config.json', ...needed.slice(1)] : needed;
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (cause) {
    throw new TailguardError('model', `Model file "${file}" is not valid JSON: ${(cause as Error).message}. ${REBUILD_HINT}`, { file, cause });
  }
}

/** The load holding transformers.js's `env` now; the next one waits for it. */
let envInUse: Promise<unknown> = Promise.resolve();

/**
 * transformers.js v2 only reads models through its global `env`; set it for one load and put it
 * back, so loading a prior does not change how other code resolves models. Loads take turns: two
 * at once (two folders in one process) would each read the other's localModelPath.
 */
async function withEnv<T>(settings: { allowRemoteModels: boolean; localModelPath?: string }, run: () => Promise<T>): Promise<T> {
  const turn = envInUse.then(async () => {
    const saved = { allowRemoteModels: env.allowRemoteModels, localModelPath: env.localModelPath };
    env.allowRemoteModels = settings.allowRemoteModels;
    if (settings.localModelPath !== undefined) env.localModelPath = settings.localModelPath;
    try {
      return await run();
    } finally {
      env.allowRemoteModels = saved.allowRemoteModels;
      env.localModelPath = saved.localModelPath;
    }
  });
  envInUse = turn.catch(() => undefined);
  return turn;
}

/** Where a backend finds the graph: a hub id, or a folder's name resolved against the localModelPath set for the load. */
export interface GraphSource {
  id: string;
  /** The local folder, or null for a hub id (allowRemote). */
  folder: string | null;
  quantized: boolean;
  /** The graph's path inside the folder, e.g. onnx/decoder_model_merged.onnx. */
  file: string;
}

/**
 * How a backend opens a model's ONNX graph. The folder checks, checksums, config and tokenizer are
 * the same for every backend (the tokenizer is always @xenova/transformers', so both backends cut
 * text into the same tokens); only the library that runs the graph differs. It runs inside
 * quietLibraries and with transformers.js's env set for the load; a TailguardError it throws
 * reaches the user as it is.
 */
export type GraphOpener = (source: GraphSource) => Promise<CausalLM>;

/** The default backend: @xenova/transformers (onnxruntime-node 1.14, CPU). */
const openXenovaGraph: GraphOpener = async ({ id, quantized }) => xenovaCausalLM(await AutoModelForCausalLM.from_pretrained(id, { quantized }));

/** Load tokenizer, model and config from a local folder or (if allowed) the hub; `openGraph` picks the backend. */
export async function loadModel(options: TransformersPriorOptions, openGraph: GraphOpener = openXenovaGraph): Promise<LoadedModel> {
  const quantized = options.quantized ?? false;
  const folder = resolve(options.model);
  const local = existsSync(folder) || !options.allowRemote;
  if (local) {
    const loads = checkFolder(folder, quantized);
    // Before anything is parsed: a damaged graph must never reach onnxruntime, whose failures are
    // vague ("protobuf parsing failed") or silent (a flipped weight loads and scores nonsense).
    const checks = await verifyChecksums(folder, loads, RESTORE_HINT);
    const config = await readJson(join(folder, 'config.json'));
    await readJson(join(folder, 'tokenizer.json'));
    await readJson(join(folder, 'tokenizer_config.json'));
    const id = basename(folder);
    const onnxFile = join(folder, onnxName(quantized));
    const loaded = await withEnv({ allowRemoteModels: false, localModelPath: dirname(folder) + '/' }, () =>
      quietLibraries(async (heard) => {
        // What the libraries printed during a step says more than what they threw ("Can't create
        // a session" after the wasm fallback): its first line is the native session's own reason.
        const reason = (cause: unknown, from: number) => heard[from] ?? (cause as Error).message;
        let tokenizer: unknown;
        try {
          tokenizer = await AutoTokenizer.from_pretrained(id);
        } catch (cause) {
          throw new TailguardError('model', `Could not load the tokenizer of "${folder}": ${reason(cause, 0)}. ${REBUILD_HINT}`, { file: join(folder, 'tokenizer.json'), cause });
        }
        let model: CausalLM;
        const from = heard.length;
        try {
          model = await openGraph({ id, folder, quantized, file: onnxName(quantized) });
        } catch (cause) {
          if (cause instanceof TailguardError) throw cause;
          throw new TailguardError('model', `Could not load "${onnxFile}" (missing, truncated or not an ONNX graph?): ${reason(cause, from)}. ${REBUILD_HINT}`, { file: onnxFile, cause });
        }
        return { tokenizer, model };
      }),
    );
    return {
      name: id,
      folder,
      onnxFile,
      onnxSha256: checks.hashes.get(onnxName(quantized)) ?? (await sha256File(onnxFile)),
      checksums: checks.unverified.length === 0 ? 'verified' : checks.manifest ? 'partial' : 'none',
      warnings: checks.unverified.length > 0 ? [unverifiedWarning(folder, checks, loads)] : [],
      config: validateConfig(config, join(folder, 'config.json')),
      tokenizer: loaded.tokenizer as ByteLevelTokenizerLike,
      model: loaded.model,
    };
  }
  // A hub id: only with allowRemote (checked above). transformers.js caches the files in env.cacheDir.
  const id = options.model;
  const loaded = await withEnv({ allowRemoteModels: true }, () =>
    quietLibraries(async (heard) => {
      try {
        const config = (await AutoConfig.from_pretrained(id)) as unknown as Record<string, unknown>;
        const tokenizer = await AutoTokenizer.from_pretrained(id);
        const model = await openGraph({ id, folder: null, quantized, file: onnxName(quantized) });
        return { config, tokenizer, model };
      } catch (cause) {
        if (cause instanceof TailguardError) throw cause;
        throw new TailguardError('model', `Could not load model "${id}" from the hub: ${heard[0] ?? (cause as Error).message}`, { cause });
      }
    }),
  );
  const cached = join(String(env.cacheDir ?? ''), id, onnxName(quantized));
  const onnxFile = existsSync(cached) ? cached : null;
  return {
    name: id,
    folder: null,
    onnxFile,
    onnxSha256: onnxFile ? await sha256File(onnxFile) : 'unknown',
    // The hub publishes no checksums transformers.js checks; the probe is all there is.
    checksums: 'none',
    warnings: [],
    config: validateConfig(loaded.config, `${id}/config.json`),
    tokenizer: loaded.tokenizer as unknown as ByteLevelTokenizerLike,
    model: loaded.model,
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
