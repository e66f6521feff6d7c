import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Every file of a run folder by its hash, quarantine/ included (the manifest without timings and
 * the shard table), tasks/ and slurm/ aside: two runs that wrote the same files have equal snapshots.
 */
export async function snapshot(out: string, prefix = ''): Promise<Record<string, unknown>> {
  const files: Record<string, unknown> = {};
  for (const entry of (await readdir(out, { withFileTypes: true })).filter((e) => e.name !== 'tasks' && e.name !== 'slurm').sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const name = entry.name;
    if (entry.isDirectory()) {
      Object.assign(files, await snapshot(join(out, name), `${prefix}${name}/`));
      continue;
    }
    const bytes = await readFile(join(out, name));
    if (name !== 'manifest.json') files[prefix + name] = createHash('sha256').update(bytes).digest('hex');
    else {
      const { timings: _t, shards: _s, summary, ...rest } = JSON.parse(bytes.toString());
      files[prefix + name] = { ...rest, summary: { ...summary, wallSeconds: null, tokensPerSecond: null } };
    }
  }
  return files;
}
