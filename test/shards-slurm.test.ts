import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cli } from './helpers/cli.js';
import { snapshot } from './helpers/run-folder.js';
import { shardReference } from './helpers/shard-corpus.js';
import { SLURM_MISSING, type Slurm, startSlurm } from './helpers/slurm.js';
import { newTempDir, removeTempDir } from './helpers/temp-dir.js';

const dir = await newTempDir('shards-slurm');
const { pipeline, expected } = await shardReference(dir);

// Kept as the error, so that the test fails with it (it must not skip) rather than the file crashing.
const slurm: Slurm | Error = SLURM_MISSING
  ? new Error(`Slurm is not installed (missing ${SLURM_MISSING}): apt-get install slurmctld slurmd slurm-client (make test and .ci/run install them)`)
  : await startSlurm().catch((e: Error) => new Error(`a single-node Slurm could not be started here: ${e.message}`));
test.after.always(async () => {
  if (!(slurm instanceof Error)) await slurm.stop();
  await removeTempDir(dir);
});

/** Slurm's states a job ends in, besides COMPLETED. */
const FAILED = /^(FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED)/;

test('the Slurm executor on a real single-node Slurm: the array job (3 tasks, 2 at once) and the merge job after it give the single-machine run folder byte for byte, with a log per task', async (t) => {
  if (slurm instanceof Error) return t.fail(slurm.message);
  t.log(slurm.version);
  const file = join(dir, 'pipeline.json');
  await writeFile(file, JSON.stringify(pipeline));
  const out = join(dir, 'slurm');
  // --export=NONE: the jobs get none of the submitting process's environment (no PATH, no HOME),
  // so this shows that the scripts carry all they need.
  const submitted = await cli(['run', file, '--out', out, '--world-size', '3', '--workers', '2', '--executor', 'slurm', '--sbatch=--export=NONE', '--quiet'], { env: slurm.env });
  t.is(submitted.code, 0, submitted.stderr);
  const ids = /submitted array job (\d+) \(3 tasks, \S+tasks\.sbatch\) and merge job (\d+) \(\S+merge\.sbatch\)/.exec(submitted.stdout);
  if (!ids) return t.fail(`no job ids in: ${submitted.stdout}`);
  const [, tasksJob, mergeJob] = ids;

  let merge: Record<string, string> = {};
  for (const end = Date.now() + 120_000; merge.JobState !== 'COMPLETED'; await sleep(250)) {
    [merge = {}] = await slurm.jobs(mergeJob).catch(() => [merge]); // a busy slurmctld: ask again
    const failed = FAILED.test(merge.JobState ?? '') || merge.Reason === 'DependencyNeverSatisfied';
    if (failed || Date.now() > end) {
      const logs = await Promise.all(['task-0.out', 'task-1.out', 'task-2.out', 'merge.out'].map(async (f) => `--- ${f}\n${await readFile(join(out, 'slurm', 'logs', f), 'utf8').catch(() => '(none)')}`));
      return t.fail(`merge job ${mergeJob}: ${failed ? `${merge.JobState} (${merge.Reason})` : `not done after 120 s (${merge.JobState})`}\n${logs.join('\n')}\n${await slurm.logs()}`);
    }
  }
  t.is(merge.ExitCode, '0:0');
  const elements = await slurm.jobs(tasksJob);
  t.deepEqual(elements.map((e) => [e.ArrayTaskId, e.JobState, e.ExitCode]).sort(), [['0', 'COMPLETED', '0:0'], ['1', 'COMPLETED', '0:0'], ['2', 'COMPLETED', '0:0']]);
  // Times to the second, ISO, so they compare as strings: the third element waited for a free
  // slot (--workers 2: --array=0-2%2), and the merge for the last element (afterok).
  const [a, b, c] = [...elements].sort((x, y) => x.StartTime.localeCompare(y.StartTime));
  t.true(c.StartTime >= [a.EndTime, b.EndTime].sort()[0], `third element started ${c.StartTime}, the first two ended ${a.EndTime}, ${b.EndTime}`);
  t.true(merge.StartTime >= [a, b, c].map((e) => e.EndTime).sort()[2], `merge started ${merge.StartTime}, elements ended ${elements.map((e) => e.EndTime)}`);

  t.deepEqual(await snapshot(out), expected);
  const at = out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
  t.is(manifest.shards.worldSize, 3);
  for (const rank of [0, 1, 2]) t.regex(await readFile(join(out, 'slurm', 'logs', `task-${rank}.out`), 'utf8'), new RegExp(`^task ${rank} of 3: done \\(\\d+ read, \\d+ written, \\d+ rejected\\) in ${at}\\n$`));
  t.regex(await readFile(join(out, 'slurm', 'logs', 'merge.out'), 'utf8'), new RegExp(`^merged 3 tasks into ${at}\\n`));
});
