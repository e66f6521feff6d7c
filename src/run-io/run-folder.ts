import { existsSync, realpathSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { corpusRoot } from '../corpus/file-list.js';
import { TailguardError } from '../errors.js';
import { faultPoint } from './fault-point.js';

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
  checkpoint: 'checkpoint.json',
} as const;

/** Where the data files of a run whose gate failed are kept, instead of their final names. */
export const QUARANTINE = 'quarantine';

/** Where a sharded run keeps its plan and each task's parts (see shards/plan.ts). */
export const TASKS_DIR = 'tasks';

/** Where the Slurm executor writes its scripts, the pipeline they run and the jobs' logs. */
export const SLURM_DIR = 'slurm';

/**
 * Prepare the output folder. A finished run (one with a manifest) is never overwritten without
 * `force`, nor an interrupted one (with a checkpoint) without `force` or `resume`; an output
 * inside an input path is refused so a run cannot eat its own input. Says whether there is an
 * interrupted run to resume.
 */
export async function prepareRunFolder(dir: string, options: { force: boolean; resume?: boolean; inputs: string[] }): Promise<{ resume: boolean }> {
  // Only the run commands stream to standard output (see cli/stdout-run.ts); here "-" would become a folder of that name.
  if (dir === '-') throw new TailguardError('config', '--out -: this command writes a folder of files, not one stream to standard output; give --out DIR (./- for a folder named "-")');
  const out = resolve(dir);
  refuseOverlap(dir, options.inputs);
  // Runs, merges, audits and detections write their manifest last and atomically: only it marks
  // finished work. A report without one is a run killed while finishing, which --resume completes.
  // (A comparison writes no manifest, so its folder is never refused, as before.)
  const finished = existsSync(join(out, RUN_FILES.manifest));
  // A checkpoint, or the tasks of a sharded run, mean work under way.
  const interrupted = !finished && (existsSync(join(out, RUN_FILES.checkpoint)) || existsSync(join(out, TASKS_DIR)));
  if (options.force) {
    if (finished || interrupted) await clearRun(out);
  } else if (finished) {
    throw new TailguardError('output', `${dir} holds a finished run${options.resume ? ': there is nothing to resume' : ''}; pass --force to replace it or --out to write elsewhere`);
  } else if (interrupted && !options.resume) {
    throw new TailguardError('output', `${dir} holds an interrupted run; pass --resume to continue it, --force to start over, or --out to write elsewhere`);
  }
  await mkdir(out, { recursive: true });
  return { resume: interrupted && !options.force && (options.resume ?? false) };
}

/**
 * Refuse an output folder that is an input or inside one (the next run would read its own
 * outputs), and an input inside the output folder (--force clears the folder, and must never
 * take an input with it). Paths are compared as the file system resolves them, symbolic links
 * followed, so `--out link/out` with `link` pointing at the input is caught too.
 */
function refuseOverlap(dir: string, inputs: string[]): void {
  const out = physicalPath(dir);
  const inside = (child: string, parent: string) => {
    const rel = relative(parent, child);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  for (const input of inputs) {
    const inp = physicalPath(corpusRoot(input));
    const via = (given: string, real: string) => (resolve(given) === real ? '' : ` (${real} once symbolic links are followed)`);
    if (inside(out, inp)) throw new TailguardError('output', `output folder ${dir}${via(dir, out)} is the input ${input} or inside it; choose another --out`);
    if (inside(inp, out)) throw new TailguardError('output', `input ${input}${via(corpusRoot(input), inp)} lies inside the output folder ${dir}; choose another --out`);
  }
}

/**
 * The absolute path `path` names on disk: the real path (symbolic links followed) of its nearest
 * existing ancestor, with the parts that do not exist yet (an output folder to be made) after it.
 */
function physicalPath(path: string): string {
  let existing = resolve(path);
  const rest: string[] = [];
  while (!existsSync(existing) && dirname(existing) !== existing) {
    rest.unshift(basename(existing));
    existing = dirname(existing);
  }
  return join(realPath(existing), ...rest);
}

/** The real path, or the path as given where there is none (a pipe such as /dev/stdin may have none). */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Remove the files a run writes, and only those: nothing else in the folder is touched. */
async function clearRun(out: string): Promise<void> {
  for (const name of await readdir(out)) {
    if (name === QUARANTINE || name === TASKS_DIR || name === SLURM_DIR || /^stats\.[\w-]+\.json(\.partial)?$/.test(name) || Object.values(RUN_FILES).some((f) => name === f || name.startsWith(`${f}.`))) {
      await rm(join(out, name), { force: true, recursive: true });
    }
  }
}

/** Write a file atomically: a reader sees the old file or the whole new one, never a part. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.partial`;
  await writeFile(tmp, text);
  await faultPoint(`write:${basename(path)}`);
  await rename(tmp, path);
}

/** JSON, atomically; `compact` for large machine-read files (statistics, reports). */
export async function writeJsonAtomic(path: string, value: unknown, compact = false): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, compact ? undefined : 2) + '\n');
}
