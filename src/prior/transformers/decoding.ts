import { TailguardError } from '../../errors.js';
import type { DecodingSession, TokenDistribution } from '../types.js';
import { DenseDistribution } from './distribution.js';
import { int64Tensor, logProbRows, type CausalLM, type LogitsTensor, type PastKeyValues } from './model.js';

/** What a decoding session needs to know about the model. */
export interface DecodingSetup {
  model: CausalLM;
  /** The start symbol fed before every prompt (special-tokens.ts). */
  bosId: number;
  context: number;
  /** Tokens dropped when a sequence reaches the context: it keeps its last context - margin tokens. */
  margin: number;
  emittable: Uint8Array;
  /** The graph emits raw logits, not log-probabilities (a foreign model). */
  normalize: boolean;
}

/**
 * Batched step-by-step decoding over the key/value cache.
 *
 * Each sequence starts as the start symbol + prompt (the document-start context the model was
 * trained with: <|endoftext|>, <s>). Prompts are left-padded to a common length and masked, so every
 * row's next-token distribution sits in the last column; positions come from the attention mask
 * (in the graph, or as position_ids fed by model.ts), so padding does not shift them. After that one token per row is fed per step with the cache.
 *
 * The model has positions for `context` tokens only (learned, or rotary within its trained length). When a push would take a sequence
 * past that, every row is re-encoded from its last `context - margin` tokens (a sliding window,
 * like long-document scoring); doing it for all rows at once keeps the batch one tensor, and the
 * margin makes it happen once every `margin` steps rather than every step.
 */
export class CacheDecodingSession implements DecodingSession {
  private readonly histories: number[][];
  /** Real (unpadded) tokens in the cache per row. */
  private readonly lengths: number[];
  private past: PastKeyValues | null = null;
  /** Attention mask of the cached columns, row-major [rows, width]. */
  private mask = new BigInt64Array(0);
  private width = 0;
  private current: TokenDistribution[] = [];
  private closed = false;

  /** Sequences decoded together. */
  get rows(): number {
    return this.histories.length;
  }

  private constructor(
    private readonly setup: DecodingSetup,
    prompts: readonly Int32Array[],
  ) {
    this.histories = prompts.map((p) => [setup.bosId, ...p]);
    this.lengths = prompts.map(() => 0);
  }

  /** Open a session and run the prompts through the model. */
  static async open(setup: DecodingSetup, prompts: readonly Int32Array[]): Promise<CacheDecodingSession> {
    if (setup.margin < 1 || setup.margin >= setup.context) {
      throw new TailguardError('config', `decoding margin must be in 1..${setup.context - 1}, got ${setup.margin}`);
    }
    const session = new CacheDecodingSession(setup, prompts);
    if (prompts.length > 0) await session.encode();
    return session;
  }

  async next(): Promise<TokenDistribution[]> {
    this.assertOpen();
    return this.current;
  }

  /** Whether the next push takes a row past the context, so every row is re-encoded. */
  get full(): boolean {
    return Math.max(...this.lengths) + 1 > this.setup.context;
  }

  /** `reencode`: re-encode now (a grouped session does when any group is full, as one session would). */
  async push(tokens: readonly number[], reencode = this.full): Promise<void> {
    this.assertOpen();
    const rows = this.histories.length;
    if (tokens.length !== rows) {
      throw new TailguardError('internal', `push got ${tokens.length} tokens for ${rows} sequences`);
    }
    if (rows === 0) return;
    tokens.forEach((t, r) => this.histories[r].push(t));
    if (reencode) {
      await this.encode();
      return;
    }
    // Extend the mask by one column of ones and feed one token per row with the cache.
    const width = this.width + 1;
    const mask = new BigInt64Array(rows * width);
    for (let r = 0; r < rows; r++) {
      mask.set(this.mask.subarray(r * this.width, (r + 1) * this.width), r * width);
      mask[r * width + width - 1] = 1n;
    }
    const ids = BigInt64Array.from(tokens, (t) => BigInt(t));
    const out = await this.setup.model.forward({
      input_ids: int64Tensor(ids, rows, 1),
      attention_mask: int64Tensor(mask, rows, width),
      past_key_values: this.past,
    });
    this.mask = mask;
    this.width = width;
    this.past = out.past_key_values;
    for (let r = 0; r < rows; r++) this.lengths[r]++;
    this.setCurrent(out.logits);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.past = null;
    this.current = [];
  }

  /** (Re-)encode every row from scratch: the whole history if it fits, else its last context - margin tokens. */
  private async encode(): Promise<void> {
    const { context, margin, bosId } = this.setup;
    const rows = this.histories.length;
    const keep = this.histories.map((h) => (h.length <= context ? h : h.slice(h.length - (context - margin))));
    const width = Math.max(...keep.map((k) => k.length));
    const ids = new BigInt64Array(rows * width).fill(BigInt(bosId));
    const mask = new BigInt64Array(rows * width);
    keep.forEach((k, r) => {
      const pad = width - k.length; // left padding: the last column is every row's newest token
      for (let j = 0; j < k.length; j++) {
        ids[r * width + pad + j] = BigInt(k[j]);
        mask[r * width + pad + j] = 1n;
      }
      this.lengths[r] = k.length;
    });
    const out = await this.setup.model.forward({
      input_ids: int64Tensor(ids, rows, width),
      attention_mask: int64Tensor(mask, rows, width),
      past_key_values: null,
    });
    this.mask = mask;
    this.width = width;
    this.past = out.past_key_values;
    this.setCurrent(out.logits);
  }

  /** Distributions of the last column of every row, as views of the output tensor. */
  private setCurrent(logits: LogitsTensor): void {
    const { data, steps, vocab } = logProbRows(logits, this.setup.normalize);
    this.current = this.histories.map((_, r) => {
      const base = (r * steps + steps - 1) * vocab;
      return new DenseDistribution(data.subarray(base, base + vocab), this.setup.emittable);
    });
  }

  private assertOpen(): void {
    if (this.closed) throw new TailguardError('internal', 'decoding session used after close()');
  }
}

/**
 * Prompts decoded in groups of at most `groupSize`, each group a cache session of its own, so
 * one (re-)encoding pass holds groupSize x context positions of logits at most (budget.ts). Groups
 * of one, each re-encoding on its own, serve graphs that left padding would shift (probe.ts
 * leftPaddingIsSafe: legacy GPT-2 exports without position_ids): no row is ever padded, the same
 * distributions as scoring gives. Groups cut by the budget re-encode in `lockstep`: all of them when
 * any is full, which is what one session over all prompts does; rows do not depend on what shares
 * their pass, so the budget changes the cost, not the numbers.
 */
export class GroupedDecodingSession implements DecodingSession {
  private constructor(
    private readonly groups: CacheDecodingSession[],
    private readonly lockstep: boolean,
  ) {}

  static async open(setup: DecodingSetup, prompts: readonly Int32Array[], groupSize: number, lockstep: boolean): Promise<DecodingSession> {
    if (prompts.length <= groupSize) return CacheDecodingSession.open(setup, prompts);
    const groups: CacheDecodingSession[] = [];
    for (let at = 0; at < prompts.length; at += groupSize) groups.push(await CacheDecodingSession.open(setup, prompts.slice(at, at + groupSize)));
    return new GroupedDecodingSession(groups, lockstep);
  }

  async next(): Promise<TokenDistribution[]> {
    const out: TokenDistribution[] = [];
    for (const group of this.groups) out.push(...(await group.next()));
    return out;
  }

  async push(tokens: readonly number[]): Promise<void> {
    const rows = this.groups.reduce((sum, g) => sum + g.rows, 0);
    if (tokens.length !== rows) {
      throw new TailguardError('internal', `push got ${tokens.length} tokens for ${rows} sequences`);
    }
    const all = this.groups.some((g) => g.full);
    let at = 0;
    for (const group of this.groups) {
      await group.push(tokens.slice(at, at + group.rows), this.lockstep ? all : group.full);
      at += group.rows;
    }
  }

  async close(): Promise<void> {
    for (const group of this.groups) await group.close();
  }
}
