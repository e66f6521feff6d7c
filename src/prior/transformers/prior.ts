import { TailguardError } from '../../errors.js';
import { readoutPlan } from '../readout-plan.js';
import type { CandidateWindow, DecodingSession, PriorIdentity, PriorModel, ScoreOptions, TokenizedText, TokenScores } from '../types.js';
import { CacheDecodingSession } from './decoding.js';
import { weighCandidates } from './lookahead.js';
import { loadModel, RESTORE_HINT, type TransformersPriorOptions } from './load.js';
import type { CausalLM } from './model.js';
import { PROBE_TEXT, probeModel } from './probe.js';
import { scoreDocuments } from './score.js';
import { ByteLevelTokenizer } from './tokenizer.js';

/**
 * A causal language model run by transformers.js (ONNX Runtime, CPU) as a ToEdit prior: byte-level
 * BPE tokens with character spans, batched scoring in overlapping windows, and batched sampling
 * over a key/value cache. Expects a graph that emits log-probabilities under the name `logits`
 * (as tools/model/export.py writes them); see models/brown-gpt-5m/README.md.
 */
export class TransformersPrior implements PriorModel {
  readonly identity: PriorIdentity;

  private constructor(
    private readonly model: CausalLM,
    private readonly tok: ByteLevelTokenizer,
    private readonly context: number,
    private readonly stride: number,
    private readonly batchSize: number,
    private readonly emittable: Uint8Array,
    private readonly normalize: boolean,
    identity: PriorIdentity,
    /** What the user should hear about this model once it is open (e.g. that no checksums verified it). */
    readonly warnings: readonly string[],
  ) {
    this.identity = identity;
  }

  /**
   * Load a model folder (offline), or a hub id when `allowRemote` is true, verify the folder's
   * SHA256SUMS and run the sanity probe (probe.ts). Throws a TailguardError('model') naming the
   * missing, damaged or unreadable file.
   */
  static async load(options: TransformersPriorOptions): Promise<TransformersPrior> {
    const loaded = await loadModel(options);
    const vocabSize = loaded.config.vocab_size;
    const context = loaded.config.n_positions;
    const stride = options.windowStride ?? Math.floor(context / 2);
    if (!Number.isInteger(stride) || stride < 1 || stride >= context) {
      throw new TailguardError('config', `windowStride must be an integer in 1..${context - 1}, got ${stride}`);
    }
    const batchSize = options.batchSize ?? 16;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new TailguardError('config', `batchSize must be a positive integer, got ${batchSize}`);
    }
    const tok = new ByteLevelTokenizer(loaded.tokenizer, vocabSize);
    // Emittable: every token with bytes; the end-of-text control symbol is never written.
    const emittable = new Uint8Array(vocabSize);
    for (let id = 0; id < vocabSize; id++) emittable[id] = id !== tok.eotId && loaded.tokenizer.model.vocab[id] !== undefined ? 1 : 0;
    const sha256 = loaded.onnxSha256;
    const identity: PriorIdentity = {
      type: 'transformers',
      name: loaded.name,
      sha256,
      vocabSize,
      contextSize: context,
      details: {
        windowStride: stride,
        batchSize,
        quantized: options.quantized ?? false,
        eotId: tok.eotId,
        modelType: loaded.config.model_type,
        layers: loaded.config.n_layer,
        width: loaded.config.n_embd,
      },
    };
    // The bundled export emits log-probabilities; anything else gets normalized in JavaScript.
    const normalize = loaded.config.output_is_log_softmax !== true;
    await probeModel(
      { model: loaded.model, eotId: tok.eotId, vocabSize, context, normalize },
      tok.tokenize(PROBE_TEXT).ids,
      loaded.folder ?? loaded.name,
      RESTORE_HINT,
    ).catch(async (error: unknown) => {
      await loaded.model.dispose();
      throw error;
    });
    identity.details = { ...identity.details, logSoftmaxInGraph: !normalize, checksums: loaded.checksums };
    return new TransformersPrior(loaded.model, tok, context, stride, batchSize, emittable, normalize, identity, loaded.warnings);
  }

  tokenize(text: string): TokenizedText {
    return this.tok.tokenize(text);
  }

  score(docs: readonly TokenizedText[], options: ScoreOptions): Promise<TokenScores[]> {
    return scoreDocuments(
      {
        model: this.model,
        eotId: this.tok.eotId,
        vocabSize: this.identity.vocabSize,
        context: this.context,
        stride: this.stride,
        batchSize: this.batchSize,
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
  replacementSpan(_text: string, tokens: TokenizedText, i: number, id: number): { start: number; end: number; text: string } {
    return this.tok.replacementSpan(tokens, i, id);
  }

  isEmittable(id: number): boolean {
    return this.emittable[id] === 1;
  }

  continuationText(prefix: Int32Array, generated: Int32Array): string {
    return this.tok.continuationText(prefix, generated);
  }

  /** Decoding keeps the last 3/4 of the context when a sequence fills it (margin = context / 4). */
  beginDecoding(prompts: readonly Int32Array[]): Promise<DecodingSession> {
    return CacheDecodingSession.open(
      { model: this.model, eotId: this.tok.eotId, context: this.context, margin: Math.max(1, Math.floor(this.context / 4)), emittable: this.emittable, normalize: this.normalize },
      prompts,
    );
  }

  /** Two-sided weights over a shared cache per window; `batchSize` windows' worth of rows (8 candidates each) per pass. */
  weighCandidates(windows: readonly CandidateWindow[]): Promise<Float64Array[]> {
    return weighCandidates({ model: this.model, eotId: this.tok.eotId, normalize: this.normalize, rows: this.batchSize * 8 }, windows);
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
