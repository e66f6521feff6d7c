import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { TailguardError } from '../errors.js';

/** The files of a run folder; each is written under `<name>.partial` and renamed when complete. */
export const RUN_FILES = {
  edited: 'edited.jsonl',
  synthetic: 'synthetic.jsonl',
  edits: 'edits.jsonl',
  rejects: 'rejects.jsonl',
  scores: 'scores.jsonl',
  report: 'report.json',
  reportMarkdown: 'report.md',
  reportHtml: 'report.html',
  manifest: 'manifest.json',
} as const;

/** Where the data files of a run whose gate failed are kept, instead of their final names. */
export const QUARANTINE = 'quarantine';

/**
 * Prepare the output folder. A finished run (one with a manifest) is never overwritten without
 * `force`; an output inside an input path is refused so a run cannot eat its own input.
 */
export async function prepareRunFolder(dir: string, options: { force: boolean; inputs: string[] }): Promise<void> {
  const out = resolve(dir);
  const inside = (child: string, parent: string) => {
    const rel = relative(parent, child);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  for (const input of options.inputs) {
    const inp = resolve(input);
    if (inside(out, inp)) throw new TailguardError('output', `output folder ${dir} is the input ${input} or inside it; choose another --out`);
    // The other way round too: --force clears the folder, and must never take an input with it.
    if (inside(inp, out)) throw new TailguardError('output', `input ${input} lies inside the output folder ${dir}; choose another --out`);
  }
  // A folder holding a manifest (a run) or a report (an audit) is finished work.
  if (existsSync(join(out, RUN_FILES.manifest)) || existsSync(join(out, RUN_FILES.report))) {
    if (!options.force) throw new TailguardError('output', `${dir} holds a finished run; pass --force to replace it or --out to write elsewhere`);
    for (const name of await readdir(out)) {
      if (name === QUARANTINE || /^stats\.[\w-]+\.json$/.test(name) || Object.values(RUN_FILES).some((f) => name === f || name.startsWith(`${f}.`))) {
        await rm(join(out, name), { force: true, recursive: true });
      }
    }
  }
  await mkdir(out, { recursive: true });
}

/** Write a file atomically: a reader sees the old file or the whole new one, never a part. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.partial`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/** JSON, atomically; `compact` for large machine-read files (statistics, reports). */
export async function writeJsonAtomic(path: string, value: unknown, compact = false): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, compact ? undefined : 2) + '\n');
}
