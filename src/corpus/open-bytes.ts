import { createReadStream } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** Whether a path names gzip-compressed data (by its extension, as the user sees it). */
export function isGzip(path: string): boolean {
  return /\.gz$/i.test(path);
}

/**
 * The bytes of a file, gunzipped when its name ends in `.gz`. A corrupt or truncated gzip stream
 * surfaces as an error from the iterator after the last good bytes, never as a short read.
 */
export function openBytes(path: string): Readable {
  const file = createReadStream(path);
  if (!isGzip(path)) return file;
  const gunzip = createGunzip();
  // Errors of either stream end the iteration of `gunzip` with that error.
  pipeline(file, gunzip, () => {});
  return gunzip;
}
