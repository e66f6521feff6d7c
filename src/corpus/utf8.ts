import { isUtf8 } from 'node:buffer';

/**
 * Offset of the first byte that is not part of well-formed UTF-8 (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or -1. Node would otherwise decode such bytes to U+FFFD
 * without a word, silently altering the document.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  if (isUtf8(bytes)) return -1; // native fast path; the scan below only locates the fault
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    const [n, lo, hi] =
      b >= 0xc2 && b <= 0xdf ? [1, 0x80, 0xbf]
      : b === 0xe0 ? [2, 0xa0, 0xbf]
      : b === 0xed ? [2, 0x80, 0x9f]
      : b >= 0xe1 && b <= 0xef ? [2, 0x80, 0xbf]
      : b === 0xf0 ? [3, 0x90, 0xbf]
      : b === 0xf4 ? [3, 0x80, 0x8f]
      : b >= 0xf1 && b <= 0xf3 ? [3, 0x80, 0xbf]
      : [0, 0, 0];
    if (n === 0 || i + n >= bytes.length) return i; // a bad lead byte, or a sequence cut short
    if (bytes[i + 1] < lo || bytes[i + 1] > hi) return i;
    for (let k = 2; k <= n; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i;
    i += n + 1;
  }
  return -1;
}

/** A UTF-8 byte-order mark, which is not data. */
export function bomLength(bytes: Uint8Array): number {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
}
