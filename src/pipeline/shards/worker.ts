import { readCorpus } from '../../corpus/read.js';
import { TailguardError } from '../../errors.js';
import type { PriorModel } from '../../prior/types.js';
import { type KeptScores, calibrationSample, usableScores } from '../../edit/calibrate.js';
import { SCORE_CACHE_TOKENS, keepFor } from '../score-cache.js';
import { type PipelineConfig, calibratedSelection } from '../config.js';
import { openPrior } from '../../prior/open.js';
import type { WorkerReply, WorkerRequest } from './messages.js';
import { type ShardPlan, loadPlan } from './plan.js';
import { runTask } from './task.js';
import { readLockedSpans } from '../../edit/provenance.js';
import { calibrationRule } from '../run-context.js';

/**
 * Worker process of the local executor (`node worker.js <run folder>`): opens the pipeline's
 * prior once (while the parent plans), calibrates tasks and runs them as its parent asks, one
 * request at a time. A task it calibrated reuses the scores of that pass, as a single run reuses
 * its calibration pass, so the corpus is scored once however it is split. It ends with its parent.
 */
const dir = process.argv[2];
let config: PipelineConfig;
let prior: Promise<PriorModel>;
let plan: Promise<ShardPlan> | undefined;
/** Calibration-pass scores by rank, up to SCORE_CACHE_TOKENS tokens in all, as a single run keeps. */
const kept = new Map<number, KeptScores>();
let keptTokens = 0;

const reply = (m: WorkerReply): void => void process.send!(m);

async function handle(m: WorkerRequest): Promise<void> {
  if (m.kind === 'open') {
    config = m.config;
    prior = openPrior(config.prior, () => {});
    return reply({ kind: 'ready', identity: (await prior).identity });
  }
  if (m.kind === 'calibrate') {
    // A second calibration of the same task (see WorkerPool.calibrate) replaces the first one's scores.
    for (const k of kept.get(m.rank)?.values() ?? []) keptTokens -= k.scores.logProb.length;
    kept.delete(m.rank);
    const selection = calibratedSelection(config);
    const keep = keepFor(config, SCORE_CACHE_TOKENS - keptTokens);
    const locks = config.edit.lockedFrom ? await readLockedSpans(config.edit.lockedFrom) : undefined;
    const sample = await calibrationSample(await prior, readCorpus(config.input, m.pieces), selection, config.batchSize, calibrationRule(config, locks), keep, m.changesEverywhere);
    kept.set(m.rank, sample.kept);
    for (const k of sample.kept.values()) keptTokens += k.scores.logProb.length;
    return reply({ kind: 'calibrated', rank: m.rank, probs: sample.probs, changes: sample.changes, records: sample.records });
  }
  const p = await (plan ??= loadPlan(dir));
  const mine = kept.get(m.rank);
  kept.delete(m.rank);
  const progress = (records: number, tokens: number) => reply({ kind: 'progress', rank: m.rank, records, tokens });
  const { skipped, done } = await runTask(p, dir, m.rank, { prior: await prior, scores: mine && usableScores(mine, p.threshold), progress });
  reply({ kind: 'done', rank: m.rank, skipped, seconds: done.seconds, read: done.accounting.total.read });
}

process.on('disconnect', () => process.exit(0));
process.on('message', (m: WorkerRequest) => {
  handle(m).catch((e) => reply({ kind: 'error', rank: 'rank' in m ? m.rank : undefined, error: { code: e instanceof TailguardError ? e.code : 'internal', message: (e as Error).message } }));
});
