import { TailguardError } from '../../errors.js';
import { openPrior } from '../open-prior.js';
import { loadPlan } from './plan.js';
import { runTask } from './task.js';

/**
 * Worker process of the local executor (`node worker.js <run folder>`): opens the plan's prior
 * once, then runs one task per message from its parent and reports how it went (an error as its
 * code and message). It ends with its parent.
 */
const dir = process.argv[2];
const plan = await loadPlan(dir);
const prior = await openPrior(plan.config.prior, () => {});
process.on('disconnect', () => process.exit(0));
process.on('message', async ({ rank }: { rank: number }) => {
  try {
    const { skipped, done } = await runTask(plan, dir, rank, { prior });
    process.send!({ rank, skipped, seconds: done.seconds, read: done.accounting.total.read });
  } catch (e) {
    process.send!({ rank, error: { code: e instanceof TailguardError ? e.code : 'internal', message: (e as Error).message } });
  }
});
