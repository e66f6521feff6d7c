import { TailguardError } from '../../errors.js';
import { readoutPlan } from '../readout-plan.js';
import type { CandidateWindow, DecodingOptions, DecodingSession, PriorIdentity, PriorModel, ScoreOptions, TokenizedText, TokenScores } from '../types.js';
import { logitsBudgetBytes, rowsPerPass, scoringWindow } from './budget.js';
import { GroupedDecodingSession } from './decoding.js';
import { weighCandidates } from './lookahead.js';
import { type GraphOpener, loadModel, RESTORE_HINT, type TransformersPriorOptions } from './load.js';
import type { CausalLM } from './model.js';
import { leftPaddingIsSafe, PROBE_TEXT, probeModel } from './probe.js';
import { scoreDocuments } from './score.js';
import { SpanTokenizer } from './tokenizer.js';

/** The library that runs the graph: its name (in the run's manifest) and how it opens one; see load.ts. */
export interface PriorBackend {
  name: string;
  openGraph?: GraphOpener;
  /** Settings of the backend worth keeping in the manifest (e.g. the device). */
  details?: Record<string, unknown>;
}
const XENOVA_BACKEND: PriorBackend = { name: 'xenova' };

/**
 * A causal language model run by transformers.js (ONNX Runtime, CPU) as a ToEdit prior: BPE tokens
 * (byte-level or SentencePiece-style) with character spans, batched scoring in overlapping windows,
 * and batched sampling over a key/value cache. Takes Hugging Face ONNX exports of GPT-2, Llama and
 * Qwen2-style decoders (raw logits, normalized here) and the shipped model's graph, which emits
 * log-probabilities itself (models/brown-gpt-5m/README.md); see docs/priors.md.
 */
export class TransformersPrior implements PriorModel {
  readonly identity: PriorIdentity;
  /** The emittable tokens and the end tokens: what a session opened with `endTokens` draws from. */
  private readonly emittableOrEnd: Uint8Array;

  private constructor(
    private readonly model: CausalLM,
    private readonly tok: SpanTokenizer,
    private readonly bosId: number,
    private readonly context: number,
    private readonly stride: number,
    private readonly batchSize: number,
    /** Bytes the logits of one forward pass may take (budget.ts). */
    private readonly logitsBudget: number,
    private readonly emittable: Uint8Array,
    /** The family's end tokens (special-tokens.ts eosIds). */
    readonly endIds: readonly number[],
    private readonly normalize: boolean,
    /** Whether prompts may be left-padded to decode together (probe.ts leftPaddingIsSafe). */
    private readonly leftPadding: boolean,
    identity: PriorIdentity,
    /** What the user should hear about this model once it is open (e.g. that no checksums verified it). */
    readonly warnings: readonly string[],
  ) {
    this.identity = identity;
    this.emittableOrEnd = Uint8Array.from(emittable);
    for (const id of this.endIds) this.emittableOrEnd[id] = 1;
  }

  /**
   * Load a model folder (offline), or a hub id when `allowRemote` is true, verify the folder's
   * SHA256SUMS and run the sanity probe (probe.ts). Throws a TailguardError('model') naming the
   * missing, damaged or unreadable file.
   */
  static async load(options: TransformersPriorOptions, backend: PriorBackend = XENOVA_BACKEND): Promise<TransformersPrior> {
    const loaded = await loadModel(options, backend.openGraph);
    const vocabSize = loaded.config.vocab_size;
    const modelContext = loaded.config.n_positions;
    let settings: ReturnType<typeof windowSettings>;
    try {
      settings = windowSettings(options, modelContext, loaded.folder ?? loaded.name);
    } catch (error) {
      await loaded.model.dispose();
      throw error;
    }
    const { context, stride, batchSize, logitsBudget } = settings;
    const { bosId, eosIds, special } = loaded.tokens;
    const tok = new SpanTokenizer(loaded.tokenizer, vocabSize, special);
    // Emittable: every token that spells text; control symbols (BOS, EOS, special) are never written.
    const emittable = new Uint8Array(vocabSize);
    for (let id = 0; id < vocabSize; id++) emittable[id] = !special.has(id) && loaded.tokenizer.model.vocab[id] !== undefined ? 1 : 0;
    const sha256 = loaded.onnxSha256;
    const identity: PriorIdentity = {
      type: 'transformers',
      name: loaded.name,
      sha256,
      vocabSize,
      contextSize: context,
      details: {
        backend: backend.name,
        ...backend.details,
        modelContext,
        windowStride: stride,
        batchSize,
        logitsBudgetMB: logitsBudget / (1024 * 1024),
        quantized: options.quantized ?? false,
        bosId,
        eosIds,
        modelType: loaded.config.model_type,
        layers: loaded.config.n_layer ?? loaded.config.num_hidden_layers,
        width: loaded.config.n_embd ?? loaded.config.hidden_size,
        spelling: tok.spelling,
      },
    };
    // The bundled export emits log-probabilities; anything else gets normalized in JavaScript.
    const normalize = loaded.config.output_is_log_softmax !== true;
    const probeIds = tok.tokenize(PROBE_TEXT).ids;
    let leftPadding: boolean;
    try {
      // The probe text is short: the model's own context, so even a tiny window cap cannot starve it.
      await probeModel({ model: loaded.model, bosId, vocabSize, context: modelContext, normalize }, probeIds, loaded.folder ?? loaded.name, RESTORE_HINT);
      leftPadding = await leftPaddingIsSafe(loaded.model, [bosId, ...probeIds.subarray(0, 8)], bosId);
    } catch (error) {
      await loaded.model.dispose();
      throw error;
    }
    identity.details = { ...identity.details, logSoftmaxInGraph: !normalize, leftPadding, checksums: loaded.checksums };
    return new TransformersPrior(loaded.model, tok, bosId, context, stride, batchSize, logitsBudget, emittable, eosIds, normalize, leftPadding, identity, loaded.warnings);
  }

  tokenize(text: string): TokenizedText {
    return this.tok.tokenize(text);
  }

  score(docs: readonly TokenizedText[], options: ScoreOptions): Promise<TokenScores[]> {
    return scoreDocuments(
      {
        model: this.model,
        bosId: this.bosId,
        vocabSize: this.identity.vocabSize,
        context: this.context,
        stride: this.stride,
        batchSize: this.batchSize,
        logitsBudget: this.logitsBudget,
        emittable: this.emittable,
        normalize: this.normalize,
      },
      docs,
      options.topK,
      readoutPlan(options),
    );
  }

  tokenText(id: number): string {
    return this.tok.tokenText(id);
  }

  /** Token i's span and the new token's text (grown to whole characters if i splits one). */
  replacementSpan(text: string, tokens: TokenizedText, i: number, id: number): { start: number; end: number; text: string } {
    return this.tok.replacementSpan(text, tokens, i, id);
  }

  isEmittable(id: number): boolean {
    return this.emittable[id] === 1;
  }

  continuationText(prefix: Int32Array, generated: Int32Array): string {
    return this.tok.continuationText(prefix, generated);
  }

  /**
   * Decoding keeps the last 3/4 of the context when a sequence fills it (margin = context / 4).
   * With `endTokens` the distributions may also draw an end token, so generation stops where the
   * model ends its document; scoring and edits keep the emittable mask and never propose one.
   */
  beginDecoding(prompts: readonly Int32Array[], options: DecodingOptions = {}): Promise<DecodingSession> {
    const emittable = options.endTokens === true ? this.emittableOrEnd : this.emittable;
    const setup = { model: this.model, bosId: this.bosId, context: this.context, margin: Math.max(1, Math.floor(this.context / 4)), emittable, normalize: this.normalize };
    // Prompts are left-padded to decode together, as many as fit the logits budget when encoded at
    // the full window; one by one (each sliding on its own, as before) if padding would shift positions.
    const groupSize = this.leftPadding ? rowsPerPass(this.context, this.identity.vocabSize, this.logitsBudget, Infinity) : 1;
    return GroupedDecodingSession.open(setup, prompts, groupSize, this.leftPadding);
  }

  /**
   * Two-sided weights over a shared cache per window; `batchSize` windows' worth of rows (8
   * candidates each) per pass. Histories are left-padded to share a pass, so a graph whose
   * positions padding would shift (leftPadding false) weighs one window per pass.
   */
  weighCandidates(windows: readonly CandidateWindow[]): Promise<Float64Array[]> {
    const rows = this.leftPadding ? this.batchSize * 8 : 1;
    return weighCandidates({ model: this.model, bosId: this.bosId, normalize: this.normalize, rows, vocab: this.identity.vocabSize, logitsBudget: this.logitsBudget }, windows);
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

/**
 * The prior's window settings, validated (exit 2 naming the key). Everything reads the capped
 * window as its context: scoring, decoding, two-sided histories (budget.ts).
 */
function windowSettings(options: TransformersPriorOptions, modelContext: number, model: string) {
  const context = scoringWindow(modelContext, options.window, model);
  const stride = options.windowStride ?? Math.floor(context / 2);
  if (!Number.isInteger(stride) || stride < 1 || stride >= context) {
    throw new TailguardError('config', `prior.windowStride must be an integer in 1..${context - 1} (window - 1), got ${stride}`);
  }
  const batchSize = options.batchSize ?? 16;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new TailguardError('config', `prior.batchSize must be a positive integer, got ${batchSize}`);
  }
  return { context, stride, batchSize, logitsBudget: logitsBudgetBytes(options.logitsBudgetMB) };
}
