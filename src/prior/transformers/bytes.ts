/**
 * Byte-level BPE plumbing: the GPT-2 bytes-to-unicode table and UTF-8 helpers. A byte-level token
 * is a string of "byte characters" (one per byte); turning it back into bytes lets the prior map
 * tokens to character spans and decode single tokens exactly like the tokenizer's ByteLevel decoder.
 */

/**
 * GPT-2's reversible table from bytes to printable code points: printable Latin-1 bytes map to
 * themselves, the others to U+0100 and up. Every entry is one UTF-16 unit, so a token string's
 * `.length` is its byte count.
 */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const table = new Array<string>(256);
  bs.forEach((b, i) => (table[b] = String.fromCodePoint(cs[i])));
  return table;
}

/** Inverse table: byte character code (UTF-16 unit) to byte value; -1 for other characters. */
export function unicodeToBytes(): Int16Array {
  const table = new Int16Array(512).fill(-1);
  bytesToUnicode().forEach((ch, b) => (table[ch.charCodeAt(0)] = b));
  return table;
}

/** The bytes of a byte-level token string; null if it holds a character outside the table. */
export function tokenBytes(token: string, inverse: Int16Array): Uint8Array | null {
  const out = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    const b = c < inverse.length ? inverse[c] : -1;
    if (b < 0) return null;
    out[i] = b;
  }
  return out;
}

/** Number of UTF-8 bytes a code point takes. */
export function utf8Length(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  // Lone surrogates are written by TextEncoder as U+FFFD (3 bytes), like any other BMP character.
  if (codePoint < 0x10000) return 3;
  return 4;
}

/**
 * How many bytes at the end of `bytes` belong to a UTF-8 sequence that is not complete yet (0-3).
 * Used to decode a continuation consistently when the prefix ends inside a character.
 */
export function incompleteTail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const b = bytes[bytes.length - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/** How a vocabulary's token strings spell bytes. */
export type TokenSpelling = 'byte-level' | 'metaspace';

const BYTE_FALLBACK = /^<0x([0-9A-Fa-f]{2})>$/;

/**
 * The bytes every token id spells, as the tokenizer's decoder writes them: byte-level tokens
 * through GPT-2's byte table; SentencePiece-style tokens with ▁ (U+2581) for a space and, when the
 * model has byte_fallback, `<0xNN>` for the single byte NN. Special tokens and ids without an entry
 * (padding rows of a larger embedding) spell nothing.
 */
export function vocabularyBytes(vocab: readonly (string | undefined)[], size: number, special: ReadonlySet<number>, spelling: TokenSpelling, byteFallback: boolean): Uint8Array[] {
  const inverse = unicodeToBytes();
  const encoder = new TextEncoder();
  const out: Uint8Array[] = [];
  for (let id = 0; id < size; id++) {
    const token = vocab[id];
    let bytes: Uint8Array | null = null;
    if (token !== undefined && !special.has(id)) {
      const fallback = byteFallback ? BYTE_FALLBACK.exec(token) : null;
      if (spelling === 'byte-level') bytes = tokenBytes(token, inverse);
      else bytes = fallback ? Uint8Array.of(parseInt(fallback[1], 16)) : encoder.encode(token.replaceAll('\u2581', ' '));
    }
    out.push(bytes ?? new Uint8Array(0));
  }
  return out;
}
