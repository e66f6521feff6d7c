import { performance } from 'node:perf_hooks';
import type { Job } from 'bullmq';
import { TaskNotOwned } from './task.js';

/**
 * The guard a BullMQ worker gives `runTask`: the task's folder may be written only while this
 * worker is sure to hold the job's lock.
 *
 * Why: BullMQ renews a job's lock from a timer. If this process stops renewing it (the event
 * loop held longer than the lock lasts, a network cut from Redis, a pause of the machine), the
 * lock expires, a stalled-job check puts the job back in the queue and another worker resumes
 * the task from its checkpoint, cutting the parts back and appending to them. Two writers on one
 * task's files would corrupt them; a check of the lock just before committing a checkpoint
 * would not do, since records are appended between checkpoints.
 *
 * How: renewing the lock (`extendLock`, which fails once the lock is gone or someone else's)
 * starts a new lease of `lockMs`, counted here from just before the request was sent, so it ends
 * no later than the lock in Redis. No other worker can take the job before the lock has
 * expired, so writes started before `validUntil - margin` cannot meet another owner's. The
 * guard renews when less than half the lease is left, and refuses (TaskNotOwned) once less than
 * the margin is left or a renewal failed: the task then stops writing at once, drops its
 * buffers and leaves the files to the next owner. The clock is monotonic; the margin (a quarter
 * of the lock, 15 s by default) covers the writes of one batch and clock drift. What it cannot
 * cover is this process stopped for longer than the margin between the check and the write
 * itself (a few synchronous lines); `runTask` yields to the event loop between batches so the
 * ordinary renewals keep the lock fresh and that case stays theoretical.
 */
export class JobLease {
  private validUntil = 0;
  private lost: string | undefined;

  constructor(
    private readonly job: Job,
    private readonly token: string,
    private readonly lockMs: number,
    /** A monotonic clock in ms (a test gives its own, so the lease is checked at exact times). */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Mark the lease lost (BullMQ reported a failed renewal of this job's lock). */
  lose(reason: string): void {
    this.lost ??= reason;
  }

  /** Resolve if the task's files may be written now; throw TaskNotOwned otherwise. */
  readonly check = async (): Promise<void> => {
    const margin = this.lockMs / 4;
    if (!this.lost && this.now() > this.validUntil - this.lockMs / 2) {
      const sent = this.now();
      const renewed = await this.job.extendLock(this.token, this.lockMs).catch((e: Error) => {
        this.lose(`cannot renew its lock: ${e.message}`);
        return 0;
      });
      if (renewed) this.validUntil = sent + this.lockMs;
      else this.lose('its lock is gone (expired, and the job given to another worker)');
    }
    if (!this.lost && this.now() > this.validUntil - margin) this.lose(`its lock could not be renewed in time (it lasts ${this.lockMs / 1000}s)`);
    if (this.lost) throw new TaskNotOwned(`task ${(this.job.data as { rank: number }).rank}: stopped without writing more, as ${this.lost}`);
  };
}
