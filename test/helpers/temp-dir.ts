import type { ExecutionContext } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Temporary folders for tests, each removed once what made it is over. A folder is
 * `tailguard-<name>-XXXXXX` under the system's temporary folder, so a leftover says where it came
 * from.
 *
 * - One test: `const dir = await tempDir(t, 'name')`, removed when the test ends.
 * - One test file, its folder made while the file loads: `const dir = await newTempDir('name')`
 *   and, declared with the tests, `test.after.always(() => removeTempDir(dir))`. (AVA takes every
 *   hook and test in one go once the first is declared, so a helper cannot declare the hook for
 *   a file that awaits more after making its folder.)
 * - A helper's own folder for one call: `withTempDir('name', async (dir) => ...)`.
 */

/** A new empty folder `tailguard-<name>-XXXXXX`; whoever makes it removes it with `removeTempDir`. */
export function newTempDir(name: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `tailguard-${name}-`));
}

/** Remove a folder and all it holds, if it is still there (retried briefly: a child process may still be letting go of it). */
export function removeTempDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** A new empty folder for one test, removed when the test ends, passed or failed. */
export async function tempDir(t: ExecutionContext, name: string): Promise<string> {
  const dir = await newTempDir(name);
  t.teardown(() => removeTempDir(dir));
  return dir;
}

/** A new empty folder for as long as `use` runs, removed after it, whether it resolves or throws. */
export async function withTempDir<T>(name: string, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await newTempDir(name);
  try {
    return await use(dir);
  } finally {
    await removeTempDir(dir);
  }
}
