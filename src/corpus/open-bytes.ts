import { createReadStream } from 'node:fs';
import { pipeline, type Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { bytesPath } from './spool.js';

/** The compression a path's extension names, as the user sees it: `.gz` or `.zst`. */
export function compressionOf(path: string): 'gzip' | 'zstd' | undefined {
  if (/\.gz$/i.test(path)) return 'gzip';
  if (/\.zst$/i.test(path)) return 'zstd';
  return undefined;
}

/**
 * The bytes of a file, decompressed when its name ends in `.gz` or `.zst`. A corrupt or truncated
 * stream surfaces as an error from the iterator after the last good bytes, never as a short read.
 */
export function openBytes(path: string): Readable {
  const file = createReadStream(bytesPath(path));
  const compression = compressionOf(path);
  if (compression === undefined) return file;
  const decoder = compression === 'gzip' ? createGunzip() : zstdDecoder();
  // Errors of either stream end the iteration of `decoder` with that error.
  pipeline(file, decoder, () => {});
  return decoder;
}

/** Zstandard frames (one or several, as `zstd` and the Hugging Face tools write them) to bytes, with fzstd. */
function zstdDecoder(): Transform {
  const out: Transform = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        zstd.push(chunk);
        done();
      } catch (e) {
        done(e as Error);
      }
    },
    flush(done) {
      try {
        // The final push throws when the input ended inside a frame.
        zstd.push(new Uint8Array(0), true);
        done();
      } catch (e) {
        done(e as Error);
      }
    },
  });
  const zstd = new Decompress((data) => out.push(Buffer.from(data)));
  return out;
}
