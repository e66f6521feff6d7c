import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of Tailguard's own package.json (the repository, or node_modules/tailguard once installed). */
function packageRoot(): string | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'tailguard') return dir;
  }
  return undefined;
}

/**
 * A path as the user gave it, or, when it is relative and names nothing under the working
 * directory, the same path inside the Tailguard package if it exists there. So
 * `pipelines/toedit-ngram.json` and `models/brown-gpt-5m` work from any folder once Tailguard is
 * installed, and a file of the user's own with the same name always wins.
 */
export function resolveResource(path: string): string {
  if (isAbsolute(path) || existsSync(path)) return path;
  const root = packageRoot();
  return root !== undefined && existsSync(join(root, path)) ? join(root, path) : path;
}
