/** One line of a byte stream, without its `\n` (and without a `\r` before it). */
export interface ByteLine {
  /** 1-based. */
  line: number;
  /** Byte offset of the line's first byte. */
  offset: number;
  /** Length in bytes, also for a line too long to keep. */
  length: number;
  /** The bytes; undefined when the line is longer than `maxBytes` (it was never held in memory). */
  bytes?: Buffer;
}

/** Reading stopped: the source failed (a truncated gzip stream, an I/O error) at this line. */
export interface ByteLinesFailure {
  line: number;
  offset: number;
  error: Error;
}

/**
 * Split a byte stream into lines at `\n`. Works on bytes, so a multi-byte character cut by a
 * chunk boundary is never decoded in halves, and a line of any length costs at most `maxBytes`
 * of memory. If the source fails, the unfinished last line is not yielded as a record: the
 * failure says where reading stopped, and the caller rejects the rest. `start` numbers the lines
 * of a source that begins inside a file (a shard's byte range).
 */
export async function* byteLines(source: AsyncIterable<Buffer> | Iterable<Buffer>, maxBytes: number, start = { line: 1, offset: 0 }): AsyncGenerator<ByteLine | ByteLinesFailure> {
  let parts: Buffer[] = [];
  let length = 0;
  let { line, offset } = start;
  const finish = (): ByteLine => {
    let bytes = length <= maxBytes ? Buffer.concat(parts, length) : undefined;
    if (bytes && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    const out = { line, offset, length, bytes };
    offset += length + 1;
    line++;
    parts = [];
    length = 0;
    return out;
  };
  const take = (piece: Buffer) => {
    length += piece.length;
    if (length <= maxBytes) parts.push(piece);
    else parts = [];
  };
  try {
    for await (const chunk of source) {
      let start = 0;
      for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
        take(chunk.subarray(start, nl));
        yield finish();
        start = nl + 1;
      }
      if (start < chunk.length) take(chunk.subarray(start));
    }
  } catch (e) {
    yield { line, offset, error: e as Error };
    return;
  }
  if (length > 0) yield finish();
}
