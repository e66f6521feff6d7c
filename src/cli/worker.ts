import { TailguardError } from '../errors.js';
import { defineCommand, logger, seconds } from './command.js';
import { SIGNAL_EXIT, withSignals } from './signals.js';

const HELP = `Usage: tailguard worker --redis URL [options]

Takes tasks of sharded runs queued with \`tailguard run --executor bullmq\` and runs them, one at a
time, until stopped. Start any number, on any machines that see the runs' output folders (and the
pipelines' inputs and models) at the same paths as the machine that ran \`tailguard run\`.
SIGINT/SIGTERM: the task under way saves a checkpoint and goes back to the queue, then the worker
exits (a second signal exits at once; the task is then taken up again once its lock expires).

Options:
  --redis URL        the Redis server the runs queue on, e.g. redis://10.0.0.5:6379
  --queue NAME       serve this queue only (default: every run registered in Redis, oldest first)
  --lock-seconds S   a job's lock, renewed every S/2 seconds; a worker that cannot renew it stops
                     writing, and the job goes to another worker (default 60)
  --quiet            no log lines

Example:
  tailguard worker --redis redis://10.0.0.5:6379`;

const FLAGS = { redis: { type: 'string' }, queue: { type: 'string' }, 'lock-seconds': { type: 'string' }, quiet: { type: 'boolean' } } as const;

/** Serve BullMQ queues until SIGINT/SIGTERM, then exit with 128 + the signal's number once the task under way is back in the queue. */
export const workerCommand = defineCommand('worker', HELP, FLAGS, async (v, positionals) => {
  if (positionals.length) throw new TailguardError('config', `tailguard worker takes no file, got ${positionals.join(' ')} (see --help)`);
  if (!v.redis) throw new TailguardError('config', 'tailguard worker needs --redis URL: the Redis server the runs queue their tasks on, e.g. redis://127.0.0.1:6379');
  const lockSeconds = seconds('lock-seconds', v['lock-seconds']);
  const { serveBullmq } = await import('../pipeline/shards/bullmq-worker.js');
  let stoppedBy: string | undefined;
  await withSignals([], (signal) => {
    signal.addEventListener('abort', () => (stoppedBy = signal.reason as string));
    return serveBullmq({ redis: v.redis!, queue: v.queue, lockSeconds, signal, log: logger(v.quiet) });
  });
  return stoppedBy ? (SIGNAL_EXIT[stoppedBy] ?? 0) : 0;
});
