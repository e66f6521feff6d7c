import { TailguardError } from '../../errors.js';
import type { TokenizedText } from '../types.js';
import { bytesToUnicode, incompleteTail, tokenBytes, unicodeToBytes, utf8Length } from './bytes.js';

/** The parts of a transformers.js byte-level BPE tokenizer this module relies on. */
export interface ByteLevelTokenizerLike {
  pre_tokenizer: { pattern?: RegExp } | null;
  model: {
    vocab: string[];
    tokens_to_ids: Map<string, number>;
    bpe(token: string): string[];
  };
  encode(text: string, pair?: null, options?: { add_special_tokens?: boolean }): number[];
  decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
}

/**
 * Byte-level BPE with character offsets. transformers.js v2 returns ids only, so this runs its
 * pieces itself: the ByteLevel pre-tokenizer's own regex splits the text into pieces (they cover
 * the text contiguously), the tokenizer's own BPE model splits each piece into tokens, and byte
 * counts map tokens back to UTF-16 character spans. The ids are the ones `tokenizer.encode` gives,
 * except that text which happens to spell a special token (`<|endoftext|>`) is kept as plain text
 * rather than turned into the control symbol: a corpus document is data, never control.
 */
export class ByteLevelTokenizer {
  readonly vocabSize: number;
  readonly eotId: number;
  /** Bytes of every token (empty for special tokens). */
  private readonly bytes: Uint8Array[];
  /** Decoded text of every token, as the tokenizer's ByteLevel decoder writes it alone. */
  private readonly texts: string[];
  private readonly pattern: RegExp;
  private readonly byteChar = bytesToUnicode();
  private readonly encoder = new TextEncoder();
  private readonly utf8 = new TextDecoder('utf-8', { fatal: false });

  constructor(
    readonly inner: ByteLevelTokenizerLike,
    vocabSize: number,
    eotToken = '<|endoftext|>',
  ) {
    const eot = inner.model.tokens_to_ids.get(eotToken);
    if (eot === undefined) throw new TailguardError('model', `tokenizer.json has no ${eotToken} token`);
    this.eotId = eot;
    this.vocabSize = vocabSize;
    const source = inner.pre_tokenizer?.pattern;
    if (!(source instanceof RegExp)) {
      throw new TailguardError('model', 'tokenizer.json must use the ByteLevel pre-tokenizer (GPT-2 regex)');
    }
    // A private copy: a global regex carries lastIndex state.
    this.pattern = new RegExp(source.source, source.flags.includes('g') ? source.flags : source.flags + 'g');
    const inverse = unicodeToBytes();
    this.bytes = [];
    this.texts = [];
    for (let id = 0; id < vocabSize; id++) {
      const token = inner.model.vocab[id];
      const b = id === eot || token === undefined ? null : tokenBytes(token, inverse);
      this.bytes.push(b ?? new Uint8Array(0));
      this.texts.push(b ? this.utf8.decode(b) : '');
    }
  }

  /** Ids and character spans of `text`; no special tokens are added. */
  tokenize(text: string): TokenizedText {
    const ids: number[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    const toId = this.inner.model.tokens_to_ids;
    let covered = 0;
    this.pattern.lastIndex = 0;
    for (const match of text.matchAll(this.pattern)) {
      const piece = match[0];
      const at = match.index ?? 0;
      if (at !== covered) throw new TailguardError('internal', `pre-tokenizer skipped characters ${covered}..${at}`);
      covered = at + piece.length;
      // Byte characters of the piece and, per code point, where its bytes and UTF-16 units end.
      let mapped = '';
      const cpByteEnd: number[] = [];
      const cpCharEnd: number[] = [];
      let byteEnd = 0;
      let charEnd = 0;
      for (const ch of piece) {
        const cp = ch.codePointAt(0) ?? 0;
        byteEnd += utf8Length(cp);
        charEnd += ch.length;
        cpByteEnd.push(byteEnd);
        cpCharEnd.push(charEnd);
      }
      for (const b of this.encoder.encode(piece)) mapped += this.byteChar[b];
      // A character belongs to the token holding its last byte: a token that ends inside a
      // character gets an empty span, the token that completes it gets the whole character.
      let bytePos = 0;
      let cp = 0;
      let spanStart = at;
      for (const token of this.inner.model.bpe(mapped)) {
        const id = toId.get(token);
        if (id === undefined) throw new TailguardError('model', `BPE produced "${token}", which is not in the vocabulary`);
        bytePos += token.length; // one byte character per byte
        while (cp < cpByteEnd.length && cpByteEnd[cp] <= bytePos) cp++;
        const spanEnd = at + (cp > 0 ? cpCharEnd[cp - 1] : 0);
        ids.push(id);
        starts.push(spanStart);
        ends.push(spanEnd);
        spanStart = spanEnd;
      }
      if (bytePos !== byteEnd) throw new TailguardError('internal', `BPE tokens of "${piece}" do not cover its bytes`);
    }
    if (covered !== text.length) throw new TailguardError('internal', `pre-tokenizer stopped at ${covered} of ${text.length}`);
    return { ids: Int32Array.from(ids), starts: Int32Array.from(starts), ends: Int32Array.from(ends) };
  }

  /** What token `id` writes on its own (special tokens write nothing). */
  tokenText(id: number): string {
    return this.texts[id] ?? '';
  }

  /**
   * The characters to rewrite when token i becomes `id`, and their new text. Normally token i's
   * own span and the new token's text. When token i starts or ends inside a multi-byte character
   * (its bytes do not decode on their own), the span grows to the neighbouring tokens that share
   * those characters, and their bytes are decoded together with the new token's, so no character
   * outside the replaced token is damaged.
   */
  replacementSpan(tokens: TokenizedText, i: number, id: number): { start: number; end: number; text: string } {
    const isContinuation = (t: number): boolean => {
      const b = this.bytes[tokens.ids[t]];
      return b !== undefined && b.length > 0 && (b[0] & 0xc0) === 0x80;
    };
    let a = i;
    while (a > 0 && isContinuation(a)) a--;
    let b = i;
    while (b + 1 < tokens.ids.length && isContinuation(b + 1)) b++;
    if (a === i && b === i) return { start: tokens.starts[i], end: tokens.ends[i], text: this.tokenText(id) };
    const parts: Uint8Array[] = [];
    for (let t = a; t <= b; t++) parts.push(t === i ? this.bytes[id] ?? new Uint8Array(0) : this.bytes[tokens.ids[t]]);
    const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      joined.set(p, at);
      at += p.length;
    }
    return { start: tokens.starts[a], end: tokens.ends[b], text: this.utf8.decode(joined) };
  }

  /**
   * Text to append after `prefix` for `generated`. Decoding works on bytes, so if the prefix ends
   * inside a UTF-8 character, its dangling bytes are decoded together with the continuation:
   * decode(prefix up to its last whole character) + result === decode(prefix ++ generated).
   */
  continuationText(prefix: Int32Array, generated: Int32Array): string {
    // The last 4 tokens hold at least 4 bytes, enough to see a dangling partial character.
    const tail: number[] = [];
    for (let i = Math.max(0, prefix.length - 4); i < prefix.length; i++) tail.push(...this.bytes[prefix[i]]);
    const dangling = incompleteTail(Uint8Array.from(tail));
    let length = dangling;
    for (const id of generated) length += this.bytes[id]?.length ?? 0;
    const buffer = new Uint8Array(length);
    buffer.set(tail.slice(tail.length - dangling), 0);
    let at = dangling;
    for (const id of generated) {
      const b = this.bytes[id];
      if (b) {
        buffer.set(b, at);
        at += b.length;
      }
    }
    return this.utf8.decode(buffer);
  }
}
