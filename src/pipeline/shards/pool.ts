import { type ChildProcess, fork } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CorpusPiece } from '../../corpus/units.js';
import type { Calibration } from '../../edit/threshold.js';
import { thresholdOf } from '../../edit/calibrate.js';
import { TailguardError } from '../../errors.js';
import type { PriorIdentity } from '../../prior/types.js';
import { type PipelineConfig, calibratedSelection } from '../config.js';
import type { WorkerReply, WorkerRequest } from './messages.js';
import type { Planner } from './plan.js';

type Replied<K extends WorkerReply['kind']> = Extract<WorkerReply, { kind: K }>;

export interface TaskEvents {
  progress?: (rank: number, records: number, tokens: number) => void;
  done?: (m: Replied<'done'>, finished: number) => void;
}

/**
 * The local executor's worker processes. They open the prior as soon as they start, so loading
 * it overlaps the planning; they calibrate the tasks in parallel (a `Planner`), then run them,
 * each worker first the tasks it calibrated, whose scores it kept.
 */
export class WorkerPool implements Planner {
  private readonly workers: ChildProcess[];
  private readonly readyIdentity: Promise<PriorIdentity>;
  private onReply: (w: number, m: WorkerReply) => void = () => {};
  private onFailure: (e: TailguardError) => void = () => {};
  private failure: TailguardError | undefined;
  private closing = false;
  /** Which worker calibrated each task (its scores are there). */
  private readonly calibratedBy = new Map<number, number>();
  /** Records of the whole corpus, when the calibration read all of it. */
  records: number | undefined;

  constructor(dir: string, private readonly config: PipelineConfig, size: number, signal?: AbortSignal) {
    this.workers = Array.from({ length: size }, () => startWorker(dir));
    let ready: (identity: PriorIdentity) => void;
    this.readyIdentity = new Promise((resolve, reject) => {
      ready = resolve;
      this.onFailure = reject;
    });
    const fail = (e: TailguardError) => {
      if (this.closing || this.failure) return;
      this.failure = e;
      this.onFailure(e);
    };
    this.workers.forEach((worker, w) => {
      worker.on('message', (m: WorkerReply) => {
        if (m.kind === 'ready') return ready(m.identity);
        if (m.kind === 'error') return fail(new TailguardError(m.error.code, m.rank === undefined ? m.error.message : `task ${m.rank}: ${m.error.message}`));
        this.onReply(w, m);
      });
      worker.once('error', (e) => fail(new TailguardError('internal', `a task worker failed: ${e.message}`, { cause: e })));
      worker.once('exit', (code, sig) => fail(new TailguardError('internal', `a task worker exited early with ${sig ?? `code ${code}`}`)));
      this.send(w, { kind: 'open', config });
    });
    const onAbort = () => fail(new TailguardError('interrupted', `interrupted by ${typeof signal!.reason === 'string' ? signal!.reason : 'an abort'}; relaunch to resume (finished tasks are skipped)`));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    // Unhandled if nobody waits for the identity (a relaunch with its plan already made).
    this.readyIdentity.catch(() => {});
  }

  /** Worker processes in the pool. */
  get size(): number {
    return this.workers.length;
  }

  identity(): Promise<PriorIdentity> {
    return this.readyIdentity;
  }

  /**
   * Calibrate tasks in order, as many at once as there are workers, until the finished ones from
   * the first cover `maxTokens`; their samples, concatenated and cut there, are the single
   * run's sample, so the threshold is the single run's (taken again with every chance of
   * changing computed when the first sample left one the threshold needs unknown, as a single
   * run does).
   */
  async calibrate(tasks: CorpusPiece[][]): Promise<Calibration> {
    return (await this.calibrateOnce(tasks, false)) ?? (await this.calibrateOnce(tasks, true))!;
  }

  private async calibrateOnce(tasks: CorpusPiece[][], changesEverywhere: boolean): Promise<Calibration | undefined> {
    const selection = calibratedSelection(this.config);
    const max = selection.maxTokens;
    const samples: Replied<'calibrated'>[] = [];
    let next = 0;
    let prefix = 0;
    let prefixTokens = 0;
    await this.dispatch(
      (w) => {
        if (prefixTokens >= max || next >= tasks.length) return undefined;
        this.calibratedBy.set(next, w);
        return { kind: 'calibrate', rank: next, pieces: tasks[next++], changesEverywhere };
      },
      (_, m) => {
        if (m.kind !== 'calibrated') return false;
        samples[m.rank] = m;
        while (prefix < tasks.length && samples[prefix] && prefixTokens < max) prefixTokens += samples[prefix++].probs.length;
        return true;
      },
    );
    const probs = new Float64Array(Math.min(max, prefixTokens));
    const changes = selection.mode === 'changed-share' ? new Float64Array(probs.length) : undefined;
    let at = 0;
    for (let r = 0; r < prefix && at < probs.length; r++) {
      const p = samples[r].probs.subarray(0, probs.length - at);
      probs.set(p, at);
      changes?.set(samples[r].changes!.subarray(0, p.length), at);
      at += p.length;
    }
    if (prefix === tasks.length && prefixTokens < max) this.records = samples.reduce((n, s) => n + s.records, 0);
    return thresholdOf(selection, probs, changes);
  }

  /** Run the tasks; a worker takes the tasks it calibrated first, then any other. */
  async run(ranks: number[], events: TaskEvents = {}): Promise<void> {
    const queues = this.workers.map((_, w) => ranks.filter((r) => this.calibratedBy.get(r) === w));
    const others = ranks.filter((r) => !this.calibratedBy.has(r));
    let finished = 0;
    await this.dispatch(
      (w) => {
        const longest = queues.reduce((a, q) => (q.length > a.length ? q : a), queues[w]);
        const rank = queues[w].shift() ?? others.shift() ?? longest.pop();
        return rank === undefined ? undefined : { kind: 'task', rank };
      },
      (_, m) => {
        if (m.kind === 'progress') events.progress?.(m.rank, m.records, m.tokens);
        if (m.kind !== 'done') return false;
        events.done?.(m, ++finished);
        return true;
      },
    );
  }

  /** Stop the workers: a task in progress resumes from its checkpoint on relaunch. */
  close(): void {
    this.closing = true;
    for (const w of this.workers) w.kill();
  }

  /**
   * Give each idle worker `next(w)` until it returns nothing for every idle worker and every
   * request was answered (`finished` says which replies end a request). The first failure ends it.
   */
  private dispatch(next: (w: number) => WorkerRequest | undefined, finished: (w: number, m: WorkerReply) => boolean): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      let busy = 0;
      const feed = (w: number) => {
        const request = next(w);
        if (request) {
          busy++;
          this.send(w, request);
        } else if (busy === 0) resolve();
      };
      this.onFailure = reject;
      this.onReply = (w, m) => {
        if (!finished(w, m)) return;
        busy--;
        feed(w);
      };
      this.workers.forEach((_, w) => feed(w));
    });
  }

  private send(w: number, m: WorkerRequest): void {
    this.workers[w].send(m);
  }
}

/**
 * A worker process. Processes rather than threads: the priors load native addons (onnxruntime,
 * sharp) that are not safe to tear down with a worker thread. The worker module has this
 * module's extension: .js when built, .ts when run from sources, where it needs tsx's loader.
 * Advanced serialization carries the calibration samples as typed arrays.
 */
function startWorker(dir: string): ChildProcess {
  const ext = extname(fileURLToPath(import.meta.url));
  return fork(fileURLToPath(new URL(`./worker${ext}`, import.meta.url)), [dir], {
    execArgv: ext === '.js' ? process.execArgv : ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
}
