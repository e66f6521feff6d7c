import test from 'ava';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mergeShards, parsePipeline, readCorpus, runLocal, runOneTask, runPipeline, shardStatus, splitCorpus } from '../src/index.js';
import { RUNNING, STALE_SECONDS, startHeartbeat } from '../src/pipeline/shards/heartbeat.js';
import { loadPlan, taskDir } from '../src/pipeline/shards/plan.js';
import { isDone, runTask } from '../src/pipeline/shards/task.js';
import { collect } from './helpers/brown-prior.js';
import { cli, startProcess, stopAt } from './helpers/cli.js';
import { snapshot } from './helpers/run-folder.js';
import { brown, record, shardReference } from './helpers/shard-corpus.js';
import { newTempDir, removeTempDir } from './helpers/temp-dir.js';

const dir = await newTempDir('shards');
const { prior, pipeline, config, expected } = await shardReference(dir);
const quiet = { log: () => {} };

test.after.always(() => removeTempDir(dir));

test('shards of the corpus, read one after another, give the items of the whole corpus, cut inside files', async (t) => {
  const spec = config.input;
  const whole = await collect(readCorpus(spec));
  t.is(whole.filter((i) => !i.ok).length, 3, 'rejects among the documents: malformed JSON, empty text, not an object');
  for (const n of [1, 2, 3, 5, 8]) {
    const shards = await splitCorpus(spec, n);
    t.is(shards.length, n);
    const items = [];
    for (const pieces of shards) items.push(...(await collect(readCorpus(spec, pieces))));
    t.deepEqual(items, whole, `${n} shards`);
  }
  const cuts = (await splitCorpus(spec, 8)).flat();
  t.true(cuts.some((p) => p.slice.by === 'bytes' && p.slice.start > 0), 'a JSONL file is cut at a line inside it');
  t.true(cuts.some((p) => p.slice.by === 'records' && p.slice.from > 0), 'a JSON array is cut between records');
  t.true(cuts.some((p) => p.slice.by === 'rowGroups' && p.slice.from > 0), 'a Parquet file is cut between row groups');
});

test('world size 1, 2 and 4 give the single-machine run folder byte for byte, statistics included; finished tasks are skipped and a stopped one resumes', async (t) => {
  const one = join(dir, 'ws1');
  await runLocal(config, { out: one, worldSize: 1, workers: 1, ...quiet });
  t.deepEqual(await snapshot(one), expected, 'world size 1');

  const two = join(dir, 'ws2');
  for (const rank of [0, 1]) t.false((await runOneTask(config, { out: two, worldSize: 2, rank, prior, ...quiet })).skipped);
  t.true((await runOneTask(config, { out: two, worldSize: 2, rank: 0, prior, ...quiet })).skipped, 'a finished task is skipped');
  await t.throwsAsync(mergeShards(join(dir, 'nothing')), { message: /no readable plan of a sharded run/ });
  // A merge killed in its finish (the edited shards written, the others not, no manifest) is merged again.
  const killed = await stopAt(['merge', two, '--quiet'], 'close:edited.jsonl');
  t.is(killed.signal, 'SIGKILL', killed.stderr);
  t.true(existsSync(join(two, 'report.json')) && !existsSync(join(two, 'manifest.json')));
  t.regex((await cli(['status', two])).stdout, /2 of 2 done: merge with tailguard merge/);
  await mergeShards(two);
  t.deepEqual(await snapshot(two), expected, 'world size 2');
  t.regex((await cli(['status', two])).stdout, /2 of 2 done, merged\n/, 'a merged run is not sent to the merge again');
  await t.throwsAsync(mergeShards(two), { message: /is merged already/ });

  const four = join(dir, 'ws4');
  const stop = new AbortController();
  stop.abort('a test');
  await t.throwsAsync(runOneTask(config, { out: four, worldSize: 4, rank: 1, prior, signal: stop.signal, ...quiet }), { message: /interrupted by a test in task 1 after \d+ records/ });
  t.true(existsSync(join(taskDir(four, 1), 'checkpoint.json')), 'the stopped task saved a checkpoint');
  const status = await shardStatus(four);
  t.deepEqual(status.tasks.map((s) => s.state), ['pending', 'stopped', 'pending', 'pending']);
  t.true(status.tasks[1].records > 0);
  t.true((await loadPlan(four)).tasks.every((pieces) => pieces.length > 0), 'every task has work');
  const merged = await runLocal(config, { out: four, worldSize: 4, workers: 2, ...quiet });
  t.deepEqual(await snapshot(four), expected, 'world size 4');
  t.is((merged.manifest.shards as { worldSize: number }).worldSize, 4);
  t.false(existsSync(join(taskDir(four, 1), 'edited.jsonl')), 'the parts are removed after the merge');
});

test('a local run stopped once its first task is merged leaves only the tasks; relaunched, it gives the single-machine run folder', async (t) => {
  const out = join(dir, 'stopped-local');
  const stop = new AbortController();
  const log = (m: string) => /^task \d+ done/.test(m) && stop.abort('a test');
  await t.throwsAsync(runLocal(config, { out, worldSize: 4, workers: 1, signal: stop.signal, log }), { message: /interrupted by a test/ });
  t.deepEqual(await readdir(out), ['tasks'], 'the merged part of task 0 is removed');
  t.true(isDone(out, 0));
  await runLocal(config, { out, worldSize: 4, workers: 1, ...quiet });
  t.deepEqual(await snapshot(out), expected);
});

test('the local executor calibrates the tasks in parallel and gets the single run\'s threshold, also when the calibration stops at maxTokens inside a task', async (t) => {
  const three = join(dir, 'ws3');
  const merged = await runLocal(config, { out: three, worldSize: 3, workers: 2, ...quiet });
  t.deepEqual(await snapshot(three), expected, 'world size 3, calibrated by two workers');
  t.is((merged.manifest.shards as { worldSize: number }).worldSize, 3);

  // Tasks of 1,597, 744, 1,140 and 1,134 tokens: the first 2,000 end inside the second task.
  const capped = parsePipeline({ ...pipeline, name: 'capped', edit: { selection: { mode: 'calibrated', targetShare: 0.125, maxTokens: 2000 } } });
  const single = join(dir, 'capped-single');
  const run = await runPipeline(capped, { out: single, prior, progress: false, ...quiet });
  const calibration = (run.manifest.selection as { calibration: { tokens: number } }).calibration;
  t.is(calibration.tokens, 2000);
  const four = join(dir, 'capped-ws4');
  await runLocal(capped, { out: four, worldSize: 4, workers: 2, ...quiet });
  t.deepEqual(await snapshot(four), await snapshot(single), 'world size 4, calibration cut at 2,000 tokens');
  t.true((await loadPlan(four)).tasks.length === 4);
});

test('status tells done, running, stalled, failed, stopped and pending tasks apart', async (t) => {
  const input = join(dir, 'status.jsonl');
  await writeFile(input, brown.slice(0, 8).map(record).join('\n') + '\n');
  const cfg = parsePipeline({ ...pipeline, name: 'status', input: { format: 'jsonl', path: input }, output: { format: 'jsonl' } });
  const out = join(dir, 'status');
  t.false((await runOneTask(cfg, { out, worldSize: 5, rank: 0, prior, ...quiet })).skipped);
  const stop = new AbortController();
  stop.abort('a test');
  await t.throwsAsync(runOneTask(cfg, { out, worldSize: 5, rank: 1, prior, signal: stop.signal, ...quiet }), { code: 'interrupted' } as never);
  // A task that fails on an error: its input vanished after planning.
  const plan = await loadPlan(out);
  await rename(input, `${input}.moved`);
  await t.throwsAsync(runTask(plan, out, 2, { prior }));
  await rename(`${input}.moved`, input);
  // A task whose heartbeat then stops, as when its process dies; read at fixed times after its last
  // beat (no heartbeat timer runs, no clock moves between the setup and the read).
  await mkdir(taskDir(out, 3), { recursive: true });
  const beating = startHeartbeat(taskDir(out, 3));
  beating.abandon();
  const heartbeat = join(taskDir(out, 3), RUNNING);
  const beat = (await stat(heartbeat)).mtimeMs;
  const stale = beat + (STALE_SECONDS + 10) * 1000;
  t.is((await shardStatus(out, { now: beat + 1000 })).tasks[3].state, 'running');
  t.is((await shardStatus(out, { now: stale, stalledAfter: STALE_SECONDS + 20 })).tasks[3].state, 'running', 'a longer --stalled-after');
  const status = await shardStatus(out, { now: stale });
  t.deepEqual(status.tasks.map((s) => s.state), ['done', 'stopped', 'failed', 'stalled', 'pending']);
  t.regex(status.tasks[2].error!, /ENOENT|not found/);
  t.is(status.tasks[3].pid, process.pid);
  // The CLI reads at its own clock: the heartbeat is dated back past the stall timeout.
  const past = new Date(Date.now() - (STALE_SECONDS + 10) * 1000);
  await utimes(heartbeat, past, past);
  t.regex((await cli(['status', out])).stdout, /1 of 5 done, 1 stalled, 1 failed, 1 stopped, 1 pending/);
  t.regex((await cli(['status', out, '--stalled-after', String(24 * 3600)])).stdout, /1 of 5 done, 1 running, 1 failed, 1 stopped, 1 pending/);
  await beating.ended();
  t.is((await shardStatus(out)).tasks[3].state, 'pending');
});

test('the Slurm executor writes an array script and a merge script; run here as array elements (TAILGUARD_RANK from SLURM_ARRAY_TASK_ID), they give the single-machine run folder', async (t) => {
  const file = join(dir, 'pipeline.json');
  await writeFile(file, JSON.stringify(pipeline));
  const out = join(dir, 'slurm');
  const refused = await cli(['run', file, '--out', out, '--world-size', '3', '--limit', '3']);
  t.is(refused.code, 2);
  t.regex(refused.stderr, /--limit cannot be used with --world-size/);
  const dry = await cli(['run', file, '--out', out, '--world-size', '3', '--workers', '2', '--executor', 'slurm', '--sbatch=--partition=test', '--dry-run', '--quiet']);
  t.is(dry.code, 0, dry.stderr);
  t.regex(dry.stdout, /submit with: sbatch \S+tasks\.sbatch, then sbatch --dependency=afterok:<its job id> \S+merge\.sbatch/);
  const script = await readFile(join(out, 'slurm', 'tasks.sbatch'), 'utf8');
  t.regex(script, /^#SBATCH --array=0-2%2$/m);
  t.regex(script, /^#SBATCH --partition=test$/m);
  const bash = (script: string, env: Record<string, string> = {}) => startProcess('bash', [join(out, 'slurm', script)], { ...process.env, ...env }).done;
  const elements = await Promise.all([0, 1, 2].map((r) => bash('tasks.sbatch', { SLURM_ARRAY_TASK_ID: String(r) })));
  for (const [rank, e] of elements.entries()) {
    t.is(e.code, 0, e.stderr);
    t.regex(e.stdout, new RegExp(`task ${rank} of 3: done \\(\\d+ read`));
  }
  const again = await bash('tasks.sbatch', { SLURM_ARRAY_TASK_ID: '0' });
  t.regex(again.stdout, /task 0 of 3: finished earlier, skipped/);
  const status = await cli(['status', out]);
  t.regex(status.stdout, /task +2  done +\d+ records in [\d.]+s\n3 of 3 done: merge with tailguard merge /);
  const merge = await bash('merge.sbatch');
  t.is(merge.code, 0, merge.stderr);
  t.deepEqual(await snapshot(out), expected);
});

test('a document id in two tasks is refused at the merge, since one reader would have rejected the later one; the local executor, merging as tasks finish, leaves no merged file', async (t) => {
  const input = join(dir, 'dup.jsonl');
  const texts = brown.slice(0, 4).map((d) => ({ ...d, text: d.text.slice(0, 400) }));
  await writeFile(input, [...texts.map(record), record({ ...texts[1], id: texts[0].id })].join('\n') + '\n');
  const dup = parsePipeline({ ...pipeline, input: { format: 'jsonl', path: input }, edit: {}, output: {} });
  const out = join(dir, 'dup');
  for (const rank of [0, 1]) await runOneTask(dup, { out, worldSize: 2, rank, prior, ...quiet });
  const duplicate = { message: new RegExp(`document id "${texts[0].id}" is in task 0 and task 1`) };
  await t.throwsAsync(mergeShards(out), duplicate);
  t.false(existsSync(join(out, 'manifest.json')));
  const local = join(dir, 'dup-local');
  await t.throwsAsync(runLocal(dup, { out: local, worldSize: 2, workers: 2, ...quiet }), duplicate);
  t.deepEqual(await readdir(local), ['tasks'], 'only the tasks, no merged output');
});

test('a file whose tasks together reject more than maxRejectShare of its records is refused at the merge, as one reader would have refused it', async (t) => {
  const input = join(dir, 'dirty.jsonl');
  const texts = brown.slice(0, 3).map((d) => ({ ...d, text: d.text.slice(0, 400) }));
  // Each task sees part of the file; only the whole file's share, known at the merge, decides.
  await writeFile(input, [...texts.map(record), '{"id": "cut1", "text": ', '[1]', '{"id": "cut2", "text": ', '{"id": "cut3", "text": '].join('\n') + '\n');
  const dirty = parsePipeline({ ...pipeline, input: { format: 'jsonl', path: input }, edit: {}, output: {} });
  const out = join(dir, 'dirty');
  for (const rank of [0, 1]) await runOneTask(dirty, { out, worldSize: 2, rank, prior, ...quiet });
  await t.throwsAsync(mergeShards(out), { message: new RegExp(`dirty\\.jsonl: 4 of 7 records were rejected \\(57\\.1%\\), more than the 50% allowed .*mostly malformed-json \\(3\\)\\. Fix: is it JSONL`) });
  t.false(existsSync(join(out, 'manifest.json')));
});
