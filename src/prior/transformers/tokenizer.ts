import { TailguardError } from '../../errors.js';
import type { TokenizedText } from '../types.js';
import { incompleteTail, utf8Length, vocabularyBytes, type TokenSpelling } from './bytes.js';

/** The parts of a transformers.js v2 tokenizer this module runs itself. */
export interface TokenizerLike {
  normalizer: (((text: string) => string) & { config?: { type?: string } }) | null;
  pre_tokenizer: ((text: string, options?: { section_index?: number }) => string[]) | null;
  model: ((pieces: string[]) => string[]) & {
    vocab: string[];
    tokens_to_ids: Map<string, number>;
    byte_fallback?: boolean;
    /** transformers.js's BPE memo: piece -> tokens, never emptied. */
    cache?: Map<string, unknown>;
  };
  decoder: { config?: unknown } | null;
  all_special_ids: number[];
  unk_token_id?: number;
  _tokenizer_config: Record<string, unknown>;
  encode(text: string, pair?: null, options?: { add_special_tokens?: boolean }): number[];
  decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
}

/** Pieces longer than this are words no more: dropped from the BPE memo after use. */
const LONGEST_MEMOIZED = 64;

/** Normalizers that only change how Unicode spells a character: never needed to cover a text (see tokenize). */
const UNICODE_FORMS = new Set(['NFC', 'NFD', 'NFKC', 'NFKD']);

/**
 * The tokenizer's own pipeline (normalizer, pre-tokenizer, BPE model) with character spans.
 * transformers.js v2 returns ids only, so spans come from bytes: every token spells known bytes
 * (byte-level BPE through GPT-2's byte table; SentencePiece-style vocabularies with ▁ for a space
 * and `<0xNN>` byte-fallback tokens, bytes.ts), and the tokens' bytes are matched against the
 * text's UTF-8 bytes in order. A space a tokenizer adds itself (Metaspace's prefix at document
 * start, ByteLevel's add_prefix_space) matches nothing: it takes no characters, so the spans
 * rebuild the text byte for byte (a ▁ in the text itself, which Metaspace reads as a space, is
 * matched by the token's space). Text that spells a special token (`<|endoftext|>`, `</s>`) is kept
 * as plain text rather than turned into the control symbol: a corpus document is data, never control.
 */
export class SpanTokenizer {
  readonly vocabSize: number;
  /** How tokens spell text: GPT-2's byte table, or ▁ and <0xNN> pieces. */
  readonly spelling: TokenSpelling;
  /** Bytes of every token (empty for special tokens and ids without a vocabulary entry). */
  private readonly bytes: Uint8Array[];
  /** Decoded text of every token on its own. */
  private readonly texts: string[];
  private readonly normalizer: ((text: string) => string) | null;
  private readonly encoder = new TextEncoder();
  private readonly utf8 = new TextDecoder('utf-8', { fatal: false });

  constructor(
    readonly inner: TokenizerLike,
    vocabSize: number,
    special: ReadonlySet<number>,
  ) {
    this.vocabSize = vocabSize;
    this.spelling = JSON.stringify(inner.decoder?.config ?? null).includes('"ByteLevel"') ? 'byte-level' : 'metaspace';
    const normalizer = inner.normalizer;
    // Qwen2's NFC: byte-level BPE covers any spelling, and normalizing would make the tokens spell
    // other bytes than the document's. Other normalizers (Llama 2's Prepend + Replace) are needed.
    this.normalizer = normalizer && !UNICODE_FORMS.has(normalizer.config?.type ?? '') ? normalizer : null;
    this.bytes = vocabularyBytes(inner.model.vocab, vocabSize, special, this.spelling, inner.model.byte_fallback === true);
    this.texts = this.bytes.map((b) => this.utf8.decode(b));
  }

  /** Ids and character spans of `text`; no special tokens are added. */
  tokenize(text: string): TokenizedText {
    if (text.length === 0) return { ids: new Int32Array(0), starts: new Int32Array(0), ends: new Int32Array(0) };
    const { inner } = this;
    const normalized = this.normalizer ? this.normalizer(text) : text;
    const pieces = inner.pre_tokenizer ? inner.pre_tokenizer(normalized, { section_index: 0 }) : [normalized];
    const tokens = inner.model(pieces);
    // Metaspace without splitting hands BPE the whole document as one piece; the library memoizes
    // every piece forever, which over a corpus would keep every document in memory.
    for (const piece of pieces) if (piece.length > LONGEST_MEMOIZED) inner.model.cache?.delete(piece);
    const target = this.encoder.encode(text);
    const charEnd = charEndsByByte(text, target.length);
    const ids = new Int32Array(tokens.length);
    const starts = new Int32Array(tokens.length);
    const ends = new Int32Array(tokens.length);
    const metaspace = this.spelling === 'metaspace';
    let at = 0; // bytes of the text matched so far
    let spanStart = 0;
    tokens.forEach((token, t) => {
      const id = inner.model.tokens_to_ids.get(token) ?? inner.unk_token_id;
      if (id === undefined || id >= this.vocabSize) throw new TailguardError('model', `the tokenizer produced "${token}", which is not in the model's vocabulary`);
      for (const b of this.bytes[id]) {
        if (at < target.length && target[at] === b) at++;
        else if (b === 0x20 && metaspace && isMetaspaceMark(target, at)) at += 3; // a ▁ of the text itself
        else if (b !== 0x20) {
          throw new TailguardError('model', `token "${token}" does not spell byte ${at} of the text (the tokenizer rewrites the text, or maps it to an unknown token), so its spans cannot rebuild the document`);
        }
        // else: a space the tokenizer added, which takes no characters
      }
      // A character belongs to the token holding its last byte: a token that ends inside a
      // character gets an empty span, the token that completes it gets the whole character.
      ids[t] = id;
      starts[t] = spanStart;
      ends[t] = spanStart = charEnd[at];
    });
    if (at !== target.length) throw new TailguardError('model', `the tokens cover ${at} of the text's ${target.length} bytes`);
    return { ids, starts, ends };
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
   * outside the replaced token is damaged. When token i's leading space was added by the tokenizer
   * (Metaspace's ▁ at document start), the new token's leading space is not written either.
   */
  replacementSpan(text: string, tokens: TokenizedText, i: number, id: number): { start: number; end: number; text: string } {
    const isContinuation = (t: number): boolean => {
      const b = this.bytes[tokens.ids[t]];
      return b !== undefined && b.length > 0 && (b[0] & 0xc0) === 0x80;
    };
    let a = i;
    while (a > 0 && isContinuation(a)) a--;
    let b = i;
    while (b + 1 < tokens.ids.length && isContinuation(b + 1)) b++;
    if (a === i && b === i) {
      const start = tokens.starts[i];
      const added = this.bytes[tokens.ids[i]]?.[0] === 0x20 && text[start] !== ' ';
      const written = this.tokenText(id);
      return { start, end: tokens.ends[i], text: added && written.startsWith(' ') ? written.slice(1) : written };
    }
    const parts: Uint8Array[] = [];
    for (let t = a; t <= b; t++) parts.push(t === i ? this.bytes[id] ?? new Uint8Array(0) : this.bytes[tokens.ids[t]]);
    return { start: tokens.starts[a], end: tokens.ends[b], text: this.utf8.decode(concat(parts)) };
  }

  /**
   * Text to append after `prefix` for `generated`. Decoding works on bytes, so if the prefix ends
   * inside a UTF-8 character, its dangling bytes are decoded together with the continuation:
   * decode(prefix up to its last whole character) + result === decode(prefix ++ generated).
   * After an empty prefix a Metaspace token's ▁ is the tokenizer's own document-start space, which
   * its decoder strips too.
   */
  continuationText(prefix: Int32Array, generated: Int32Array): string {
    // The last 4 tokens hold at least 4 bytes, enough to see a dangling partial character.
    const tail: number[] = [];
    for (let i = Math.max(0, prefix.length - 4); i < prefix.length; i++) tail.push(...this.bytes[prefix[i]]);
    const dangling = incompleteTail(Uint8Array.from(tail));
    const parts: Uint8Array[] = [Uint8Array.from(tail.slice(tail.length - dangling))];
    for (const id of generated) parts.push(this.bytes[id] ?? new Uint8Array(0));
    const text = this.utf8.decode(concat(parts));
    return prefix.length === 0 && this.spelling === 'metaspace' && text.startsWith(' ') ? text.slice(1) : text;
  }
}

/** Whether the text's bytes at `at` spell U+2581 (▁), which a Metaspace tokenizer cannot tell from a space. */
function isMetaspaceMark(bytes: Uint8Array, at: number): boolean {
  return bytes[at] === 0xe2 && bytes[at + 1] === 0x96 && bytes[at + 2] === 0x81;
}

function concat(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  return joined;
}

/**
 * For every byte offset of the text's UTF-8 (0..bytes), the UTF-16 index just after the last
 * character whose bytes all lie before it. Lone surrogates count 3 bytes, as TextEncoder writes them.
 */
function charEndsByByte(text: string, bytes: number): Int32Array {
  const out = new Int32Array(bytes + 1);
  let byte = 0;
  let char = 0;
  for (const ch of text) {
    const length = utf8Length(ch.codePointAt(0) ?? 0);
    for (let k = 1; k < length; k++) out[byte + k] = char;
    byte += length;
    char += ch.length;
    out[byte] = char;
  }
  return out;
}
