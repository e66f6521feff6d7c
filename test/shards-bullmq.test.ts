import test from 'ava';
import type { ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { cp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { mergeShards, parsePipeline, readBrown, readCorpus, runPipeline, TailguardError } from '../src/index.js';
import { JobLease } from '../src/pipeline/shards/bullmq-lease.js';
import { runBullmq } from '../src/pipeline/shards/bullmq.js';
import { ensurePlan, loadPlan, planPath, taskDir } from '../src/pipeline/shards/plan.js';
import { RUN_FILES } from '../src/run-io/run-folder.js';
import { checkpointPosition } from '../src/pipeline/shards/status.js';
import { isDone, runTask, TaskNotOwned } from '../src/pipeline/shards/task.js';
import { collect, TEST_MODEL_FILE } from './helpers/brown-prior.js';
import { type CliResult, cli, startCli } from './helpers/cli.js';
import { REDIS_SERVER, startRedis } from './helpers/redis.js';
import { snapshot } from './helpers/run-folder.js';
import { shardReference } from './helpers/shard-corpus.js';
import { newTempDir, removeTempDir } from './helpers/temp-dir.js';

// Short locks so that a killed worker's task is taken up within seconds (the default is 60 s).
const LOCK = '4';
const dir = await newTempDir('bullmq');
const { prior, pipeline, corpus, config, expected } = await shardReference(dir);
const quiet = { log: () => {} };

const redis = REDIS_SERVER ? await startRedis() : undefined;

/** Worker processes of the real CLI, with their log lines as they come. */
interface WorkerProc {
  child: ChildProcess;
  done: Promise<CliResult>;
  lines: string[];
}
const workers: WorkerProc[] = [];
function startWorker(): WorkerProc {
  const { child, done } = startCli(['worker', '--redis', redis!.url, '--lock-seconds', LOCK]);
  const lines: string[] = [];
  let rest = '';
  child.stderr!.on('data', (d) => {
    const parts = (rest + d).split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
  });
  const w = { child, done, lines };
  workers.push(w);
  return w;
}
// Three workers for the whole file, started with no queue named: they find each run's queue in Redis.
if (redis) for (let i = 0; i < 3; i++) startWorker();

test.after.always(async () => {
  for (const w of workers) w.child.kill('SIGKILL');
  await redis?.stop();
  await removeTempDir(dir);
});

/** Fails the test (it must not skip) when redis-server is missing. */
function needsRedis(t: { truthy: (v: unknown, m: string) => void }): boolean {
  t.truthy(REDIS_SERVER, 'redis-server is not installed: apt-get install redis-server (make test and .ci/run install it)');
  return REDIS_SERVER !== undefined;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, seconds = 60): Promise<void> {
  for (const end = Date.now() + seconds * 1000; !(await ok()); await sleep(20)) if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
}

test('a task whose guard refuses (another process owns it now) stops writing at once, checkpoint included; the next owner resumes it and the merge is byte-identical', async (t) => {
  const out = join(dir, 'guarded');
  const plan = await ensurePlan(config, out, { worldSize: 2, seed: config.seed, prior: async () => prior, ...quiet });
  let calls = 0;
  const guard = async () => {
    if (++calls > 6) throw new TaskNotOwned('task 0: not ours any more');
  };
  await t.throwsAsync(runTask(plan, out, 0, { prior, guard }), { instanceOf: TaskNotOwned });
  const files = async () => Object.fromEntries(await Promise.all((await readdir(taskDir(out, 0))).map(async (f) => [f, (await stat(join(taskDir(out, 0), f))).size])));
  const left = await files();
  t.truthy(left['checkpoint.json'], 'it had saved a checkpoint before');
  t.truthy(left['running.json'], 'the heartbeat file is left to the next owner');
  await sleep(100);
  t.deepEqual(await files(), left, 'nothing written after the refusal, not even buffered records');
  for (const rank of [0, 1]) await runTask(plan, out, rank, { prior });
  await mergeShards(out);
  t.deepEqual(await snapshot(out), expected);
});

test('the job lease renews the lock when half of it is gone and refuses once a renewal fails or the lock is reported lost', async (t) => {
  const renewals: number[] = [];
  let held = true;
  const job = { data: { rank: 3 }, extendLock: async (_token: string, ms: number) => (renewals.push(ms), held ? 1 : 0) };
  // The lease's clock is the test's: checks happen at exact times, however busy the machine.
  let now = 1000;
  const lease = new JobLease(job as never, 'token', 400, () => now);
  await lease.check();
  now += 150;
  await lease.check();
  t.deepEqual(renewals, [400], 'renewed once: more than half the lock is left');
  now += 100;
  await lease.check();
  t.is(renewals.length, 2, 'renewed with less than half left');
  now += 250;
  held = false;
  await t.throwsAsync(lease.check(), { instanceOf: TaskNotOwned, message: /task 3: stopped without writing more, as its lock is gone/ });
  const other = new JobLease(job as never, 'token', 400, () => now);
  other.lose('BullMQ could not renew its lock');
  await t.throwsAsync(other.check(), { instanceOf: TaskNotOwned, message: /BullMQ could not renew its lock/ });
});

test.serial('world size 1, 2 and 4 through BullMQ, three runs at once on one Redis, give the single-machine run folder byte for byte; nothing of them stays in Redis', async (t) => {
  if (!needsRedis(t)) return;
  const sizes = [1, 2, 4];
  const results = await Promise.all(sizes.map((n) => runBullmq(config, { out: join(dir, `bullmq-${n}`), worldSize: n, redis: redis!.url, lockSeconds: Number(LOCK), prior, ...quiet })));
  for (const [i, n] of sizes.entries()) {
    t.deepEqual(await snapshot(join(dir, `bullmq-${n}`)), expected, `world size ${n}`);
    t.is((results[i].manifest.shards as { worldSize: number }).worldSize, n);
  }
  const client = new Redis(redis!.url);
  // A worker still on a queue when it is removed may write its meta key again in a stalled check: no job, nothing else.
  t.deepEqual((await client.keys('*')).filter((k) => !/:(meta|stalled-check)$/.test(k)), [], 'the queues are removed and unregistered once merged');
  client.disconnect();
});

test.serial('a worker killed (SIGKILL) in the middle of a task: the task is taken up by another worker from its checkpoint; one stopped with SIGTERM puts its task back; the merged run is byte-identical, nothing lost or doubled', async (t) => {
  if (!needsRedis(t)) return;
  // Longer tasks (one document per batch and per checkpoint) than the corpus above, so workers can be stopped inside one.
  const docs = (await collect(readBrown('heldout'))).slice(0, 30).map((d) => ({ id: d.id, text: d.text.slice(0, 1200) }));
  const input = join(dir, 'long.jsonl');
  const lines = docs.map((d) => JSON.stringify(d));
  lines.splice(10, 0, '{"id": "broken');
  lines.splice(20, 0, JSON.stringify({ id: 'empty', text: '' }));
  await writeFile(input, lines.join('\n') + '\n');
  const long = { name: 'long', input: { format: 'jsonl', path: input }, prior: { type: 'ngram', file: TEST_MODEL_FILE }, edit: { selection: { mode: 'calibrated', targetShare: 0.125 } }, synthetic: { promptTokens: 16 }, checkpoint: { everyDocuments: 1 }, batchSize: 1, concurrency: 1 };
  const file = join(dir, 'long.json');
  await writeFile(file, JSON.stringify(long));
  const single = join(dir, 'long-single');
  await runPipeline(parsePipeline(long), { out: single, prior, progress: false, ...quiet });

  const out = join(dir, 'long-bullmq');
  const run = startCli(['run', file, '--world-size', '3', '--executor', 'bullmq', '--redis', redis!.url, '--queue', 'tailguard-test-long', '--lock-seconds', LOCK, '--out', out]);
  /** The task a worker is on now, from its log: the last one it started or resumed and has not finished. */
  const onTask = (w: WorkerProc): number | undefined => {
    const m = w.lines.map((l) => /^task (\d+) of 3 \(.*long-bullmq\): (started|resumed|done)/.exec(l)).filter((x) => x !== null).at(-1);
    return m && m[2] !== 'done' ? Number(m[1]) : undefined;
  };
  await until('the run has planned its tasks', () => existsSync(planPath(out)));
  const plan = await loadPlan(out);
  const records = await Promise.all(plan.tasks.map(async (pieces) => (await collect(readCorpus(plan.config.input, pieces))).length));
  /** Records a worker's task has left after its checkpoint, or undefined when it is not inside one with a checkpoint. */
  const left = async (w: WorkerProc): Promise<number | undefined> => {
    const rank = onTask(w);
    const at = rank === undefined ? null : await checkpointPosition(join(taskDir(out, rank), RUN_FILES.checkpoint));
    return at === null ? undefined : records[rank!] - at;
  };
  // A stop is seen between batches: a worker on its task's last record may finish it instead, so the
  // one to stop needs a few records left (the checkpoint can move on by one before the freeze).
  let inside: { w: WorkerProc; left: number }[] = [];
  await until('two workers are inside a task with a checkpoint, one with 3 records left', async () => {
    inside = (await Promise.all(workers.map(async (w) => ({ w, left: await left(w) })))).filter((x): x is { w: WorkerProc; left: number } => x.left !== undefined);
    return inside.length >= 2 && inside.some((x) => x.left >= 3);
  });
  const [stopped, killed] = inside.sort((a, b) => b.left - a.left).map((x) => x.w);
  const survivor = workers.find((w) => w !== killed && w !== stopped)!;
  const [killedRank, stoppedRank] = [onTask(killed)!, onTask(stopped)!];
  // Frozen first, so that what is checked is the state they are stopped in.
  killed.child.kill('SIGSTOP');
  stopped.child.kill('SIGSTOP');
  t.false(isDone(out, killedRank) || isDone(out, stoppedRank), 'both tasks are unfinished when their workers are stopped');
  t.true((await left(stopped))! >= 2, 'the task to stop has records left after the one under way');
  killed.child.kill('SIGKILL');
  stopped.child.kill('SIGTERM');
  stopped.child.kill('SIGCONT');

  const r = await run.done;
  t.is(r.code, 0, r.stderr);
  t.is((await killed.done).signal, 'SIGKILL');
  const s = await stopped.done;
  t.is(s.code, 143, s.stderr);
  t.regex(s.stderr, new RegExp(`task ${stoppedRank} of 3 \\(.*\\): stopped by SIGTERM at record [1-9]\\d*, checkpoint saved; back in the queue`));
  // Both tasks finished elsewhere, each from its checkpoint (the survivor may have had the stopped one's back first).
  const resumed = (rank: number) => survivor.lines.some((l) => new RegExp(`^task ${rank} of 3 \\(.*long-bullmq\\): resumed from record [1-9]\\d*`).test(l));
  t.true(resumed(killedRank), `the killed worker's task ${killedRank} resumed on the survivor:\n${survivor.lines.join('\n')}`);
  t.true(resumed(stoppedRank), `the stopped worker's task ${stoppedRank} resumed on the survivor:\n${survivor.lines.join('\n')}`);
  t.regex(r.stderr, /task \d done on \S+: \d+ records \(\d\/3 tasks done, \d running; \d+ records read, \d+ records\/s, ETA \S+\)/);

  t.deepEqual(await snapshot(out), await snapshot(single), 'the single-machine run folder, byte for byte');
  const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
  t.deepEqual(manifest.counts, { read: 32, written: 30, rejected: 2 }, 'every record read is written or rejected once');
  const edited = (await readFile(join(out, 'edited.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).id);
  t.deepEqual(edited, docs.map((d) => d.id), 'every document once, in corpus order');
  t.deepEqual(manifest.shards.tasks.map((x: { read: number }) => x.read).reduce((a: number, b: number) => a + b), 32);
  const status = await cli(['status', out]);
  t.regex(status.stdout, /^3 of 3 done\b/m);
});

test.serial('a task failing for a data error fails at once (not retried) and the run exits with the error; relaunched once mended, it finishes', async (t) => {
  if (!needsRedis(t)) return;
  const input = join(dir, 'failing.jsonl');
  await cp(join(corpus, 'a.jsonl'), input, { preserveTimestamps: true });
  const cfg = parsePipeline({ ...pipeline, input: { format: 'jsonl', path: input } });
  const single = join(dir, 'failing-single');
  await runPipeline(cfg, { out: single, prior, progress: false, ...quiet });
  const out = join(dir, 'failing');
  // The input goes once the jobs are queued: the plan is made, the workers' reads fail.
  const log = (m: string) => m.startsWith('queue ') && rmSync(input);
  const error = await t.throwsAsync(runBullmq(cfg, { out, worldSize: 1, redis: redis!.url, lockSeconds: Number(LOCK), prior, log }));
  t.true(error instanceof TailguardError && error.code === 'input', String(error));
  // From the job's attempts (BullMQ's count), not from a stopwatch that a busy machine could run past.
  t.regex(error!.message, /^task 0 failed at its first attempt, not retried: input: /);
  // The same file again (same size and time): the relaunch keeps the plan and queues the failed task anew.
  await cp(join(corpus, 'a.jsonl'), input, { preserveTimestamps: true });
  await runBullmq(cfg, { out, worldSize: 1, redis: redis!.url, lockSeconds: Number(LOCK), prior, ...quiet });
  t.deepEqual(await snapshot(out), await snapshot(single));
});
