import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AutoConfig, AutoTokenizer, env } from '@xenova/transformers';
import { TailguardError } from '../../errors.js';
import { sha256File, unverifiedWarning, verifyChecksums } from './checksums.js';
import { SessionCausalLM, type CausalLM, type OpenedGraph } from './model.js';
import { openXenovaGraph } from './xenova-model.js';
import { quietLibraries } from './quiet-libraries.js';
import { documentTokens, type DocumentTokens } from './special-tokens.js';
import type { TokenizerLike } from './tokenizer.js';

/** Options of {@link TransformersPrior.load}. */
export interface TransformersPriorOptions {
  /** A local model folder (default), or a Hugging Face hub id when `allowRemote` is true. */
  model: string;
  /** Allow downloading `model` as a hub id. Off by default: runs stay offline and reproducible. */
  allowRemote?: boolean;
  /** Load the `_quantized.onnx` graph instead of the fp32 one. Default false. */
  quantized?: boolean;
  /** Most tokens per scoring window (2..the model's context); also the context of decoding and two-sided histories. Default min(context, 1024). */
  window?: number;
  /** Advance of the scoring window for documents longer than the window. Default window / 2. */
  windowStride?: number;
  /** MiB the logits of one forward pass may take; fewer windows share a pass when they are wide. Default 512. */
  logitsBudgetMB?: number;
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
  tokenizer: TokenizerLike;
  /** BOS, EOS and control tokens from the family's config files. */
  tokens: DocumentTokens;
  model: CausalLM;
}

const REBUILD_HINT = 'Build the bundled model with "make model" (bash tools/model/build.sh), or pass a folder holding a transformers.js causal LM.';
/** For a folder whose files are damaged rather than missing. */
export const RESTORE_HINT = 'Restore the folder from a clean copy (for the shipped model: git checkout models/brown-gpt-5m, or reinstall Tailguard) or rebuild it with "make model" (bash tools/model/build.sh).';

/**
 * The two layouts of Hugging Face ONNX exports of a decoder: transformers.js v2 conversions hold a
 * merged decoder (`decoder_model_merged.onnx`, with and without cache in one graph, chosen by
 * `use_cache_branch`); newer Optimum exports a single `model.onnx`. transformers.js's
 * `model_file_name` option picks the file.
 */
const LAYOUTS = ['decoder_model_merged', 'model'] as const;
export type Layout = (typeof LAYOUTS)[number];

function onnxName(quantized: boolean, layout: Layout = 'decoder_model_merged'): string {
  return `onnx/${layout}${quantized ? '_quantized' : ''}.onnx`;
}

/** The layout of a local folder: the merged decoder when there is one (transformers.js's default), else model.onnx. */
function folderLayout(folder: string, quantized: boolean): Layout {
  return LAYOUTS.find((l) => existsSync(join(folder, onnxName(quantized, l)))) ?? 'decoder_model_merged';
}

/** The files a local folder must hold; every missing one is named in a single error. */
function checkFolder(folder: string, quantized: boolean, layout: Layout): string[] {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new TailguardError('model', `Model folder "${folder}" does not exist. ${REBUILD_HINT}`, { file: folder });
  }
  const graph = onnxName(quantized, layout);
  const needed = ['config.json', 'tokenizer.json', 'tokenizer_config.json', graph];
  const missing = needed.filter((f) => !existsSync(join(folder, f)));
  if (missing.length > 0) {
    const topLevel = ['model.onnx', 'decoder_model_merged.onnx'].find((f) => existsSync(join(folder, f)));
    const hint = !missing.includes(graph)
      ? ''
      : topLevel // optimum-cli writes its graph at the top of the folder; transformers.js reads onnx/
        ? ` (it has ${topLevel} at its top: move ${topLevel}* into onnx/)`
        : ` (or ${onnxName(quantized, 'model')}${quantized ? '; or load the fp32 graph with quantized: false' : ''})`;
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
  /** Which graph: onnx/<layout>[_quantized].onnx. */
  layout: Layout;
}

/**
 * How a backend opens a model's ONNX graph. The folder checks, checksums, config and tokenizer are
 * the same for every backend (the tokenizer is always @xenova/transformers', so both backends cut
 * text into the same tokens); only the library that runs the graph differs. It runs inside
 * quietLibraries and with transformers.js's env set for the load; a TailguardError it throws
 * reaches the user as it is.
 */
export type GraphOpener = (source: GraphSource) => Promise<OpenedGraph>;

/** The default backend: @xenova/transformers (onnxruntime-node 1.14, CPU). */
const openXenova: GraphOpener = ({ id, quantized, layout }) => openXenovaGraph(id, { quantized, layout });

/** Load tokenizer, model and config from a local folder or (if allowed) the hub; `openGraph` picks the backend. */
export async function loadModel(options: TransformersPriorOptions, openGraph: GraphOpener = openXenova): Promise<LoadedModel> {
  const quantized = options.quantized ?? false;
  const folder = resolve(options.model);
  const local = existsSync(folder) || !options.allowRemote;
  if (local) {
    const layout = folderLayout(folder, quantized);
    const loads = checkFolder(folder, quantized, layout);
    // Before anything is parsed: a damaged graph must never reach onnxruntime, whose failures are
    // vague ("protobuf parsing failed") or silent (a flipped weight loads and scores nonsense).
    const checks = await verifyChecksums(folder, loads, RESTORE_HINT);
    const config = await readJson(join(folder, 'config.json'));
    await readJson(join(folder, 'tokenizer.json'));
    await readJson(join(folder, 'tokenizer_config.json'));
    const id = basename(folder);
    const onnxFile = join(folder, onnxName(quantized, layout));
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
        let model: OpenedGraph;
        const from = heard.length;
        try {
          model = await openGraph({ id, folder, quantized, layout });
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
      onnxSha256: checks.hashes.get(onnxName(quantized, layout)) ?? (await sha256File(onnxFile)),
      checksums: checks.unverified.length === 0 ? 'verified' : checks.manifest ? 'partial' : 'none',
      warnings: checks.unverified.length > 0 ? [unverifiedWarning(folder, checks, loads)] : [],
      ...(await assemble(loaded, config, join(folder, 'config.json'), onnxFile)),
    };
  }
  // A hub id: only with allowRemote (checked above). transformers.js caches the files in env.cacheDir.
  const id = options.model;
  const loaded = await withEnv({ allowRemoteModels: true }, () =>
    quietLibraries(async (heard) => {
      try {
        const config = (await AutoConfig.from_pretrained(id)) as unknown as Record<string, unknown>;
        const tokenizer = await AutoTokenizer.from_pretrained(id);
        // The hub lists no files here: the merged decoder first, as transformers.js does, then model.onnx.
        const open = (layout: Layout) => openGraph({ id, folder: null, quantized, layout });
        const model = await open('decoder_model_merged').catch(() => open('model'));
        return { config, tokenizer, model };
      } catch (cause) {
        if (cause instanceof TailguardError) throw cause;
        throw new TailguardError('model', `Could not load model "${id}" from the hub: ${heard[0] ?? (cause as Error).message}`, { cause });
      }
    }),
  );
  // Only the default backend caches in transformers.js's env.cacheDir; another backend's hub model gets sha256 "unknown".
  const cached = LAYOUTS.map((l) => join(String(env.cacheDir ?? ''), id, onnxName(quantized, l))).find((f) => existsSync(f));
  const onnxFile = cached ?? null;
  return {
    name: id,
    folder: null,
    onnxFile,
    onnxSha256: onnxFile ? await sha256File(onnxFile) : 'unknown',
    // The hub publishes no checksums transformers.js checks; the probe is all there is.
    checksums: 'none',
    warnings: [],
    ...(await assemble(loaded, loaded.config, `${id}/config.json`, onnxFile ?? id)),
  };
}

/** Config, tokenizer, control tokens and the forward step of a loaded model. */
async function assemble(loaded: { tokenizer: unknown; model: OpenedGraph }, config: Record<string, unknown>, configFile: string, onnxFile: string): Promise<Pick<LoadedModel, 'config' | 'tokenizer' | 'tokens' | 'model'>> {
  const graph = loaded.model;
  const tokenizer = loaded.tokenizer as TokenizerLike;
  try {
    const valid = validateConfig(config, configFile);
    const tokens = documentTokens(valid, graph.generationConfig, tokenizer._tokenizer_config, tokenizer.model.tokens_to_ids, tokenizer.all_special_ids, valid.vocab_size, configFile);
    return { config: valid, tokenizer, tokens, model: new SessionCausalLM(graph, valid, onnxFile) };
  } catch (error) {
    await graph.dispose();
    throw error;
  }
}

function validateConfig(config: Record<string, unknown>, file: string): LoadedModel['config'] {
  const vocab = config.vocab_size;
  const context = config.n_positions ?? config.max_position_embeddings;
  if (typeof vocab !== 'number' || typeof context !== 'number') {
    throw new TailguardError('model', `"${file}" must give vocab_size and n_positions or max_position_embeddings (numbers). ${REBUILD_HINT}`, { file });
  }
  return { ...config, vocab_size: vocab, n_positions: context };
}
