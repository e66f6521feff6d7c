import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { TailguardError } from '../errors.js';
import type { PipelineConfig } from '../pipeline/config.js';
import type { RunResult } from '../pipeline/run.js';
import { RUN_FILES } from '../run-io/run-folder.js';

/** The `--out` value that means standard output. */
export const STDOUT = '-';

/** The file `--out -` writes to standard output: the command's corpus (edited, else synthetic, else scores). */
function streamedFile(config: PipelineConfig): string {
  if (config.output.format !== 'jsonl' || config.output.shardRecords !== undefined) {
    throw new TailguardError('config', `--out - writes JSONL to standard output, but the pipeline's output is ${config.output.shardRecords !== undefined ? 'split into files (shardRecords)' : config.output.format}; give --out DIR`);
  }
  if (config.edit.enabled) return RUN_FILES.edited;
  if (config.synthetic.enabled) return RUN_FILES.synthetic;
  if (config.writeScores) return RUN_FILES.scores;
  throw new TailguardError('config', '--out -: the pipeline writes no corpus (its edit, synthetic and scores outputs are all off); give --out DIR');
}

/**
 * `--out -`: run into a temporary folder (`tailguard-out-XXXXXX` under os.tmpdir()), copy its
 * corpus to standard output, remove the folder. The copy is made at the end, not as records are
 * written: a run whose gate fails keeps its corpus out (in quarantine), and a run that stops
 * leaves nothing half-written downstream. The summary and every message go to standard error;
 * rejects, edit log, report and manifest go with the folder (`--out DIR` keeps them). There is
 * nothing to resume, so --resume is refused and a stopped run says so.
 */
export async function runToStdout(config: PipelineConfig, resume: boolean | undefined, log: (m: string) => void, run: (out: string) => Promise<RunResult>): Promise<RunResult> {
  if (resume) throw new TailguardError('config', '--resume cannot be used with --out -: a run to standard output keeps no folder to resume; give --out DIR');
  const file = streamedFile(config);
  const dir = await mkdtemp(join(tmpdir(), 'tailguard-out-'));
  try {
    const result = await run(dir).catch((e: unknown) => {
      if (e instanceof TailguardError && e.code === 'interrupted') throw new TailguardError('interrupted', `${e.message.split(';')[0]}; nothing was written to standard output (--out - keeps no run to resume)`, { cause: e });
      throw e;
    });
    if (result.report?.gate.status === 'failed') log('the audit gate failed: nothing was written to standard output');
    else await copyToStdout(join(dir, file));
    const { rejected } = result.summary.documents;
    if (rejected > 0) log(`${rejected} rejected records (${JSON.stringify(result.manifest.rejects)}) are not kept with --out -; give --out DIR for rejects.jsonl`);
    return { ...result, dir: `standard output (${file})` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Copy a file to standard output, leaving it open; a reader that stops early (`| head`) ends the copy quietly. */
async function copyToStdout(path: string): Promise<void> {
  try {
    await pipeline(createReadStream(path), process.stdout, { end: false });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw new TailguardError('output', `standard output: ${(e as Error).message}`, { cause: e });
  }
}
