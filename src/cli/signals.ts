import { TailguardError } from '../errors.js';
import { stderrLine } from '../progress.js';
import { shellQuote } from '../shell-quote.js';

/** Exit codes after a clean stop on a signal: 128 + the signal's number, as shells report it. */
export const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Run with SIGINT/SIGTERM turned into a clean stop: the run finishes its batch, saves a checkpoint
 * and says how to resume (unless the run keeps nothing to resume, `resumable` false). A second
 * signal exits at once (the last checkpoint still resumes).
 */
export async function withSignals<T>(argv: string[], run: (signal: AbortSignal) => Promise<T>, resumable = true): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(SIGNAL_EXIT[name]);
    stderrLine.print(`tailguard: ${name}: stopping after the current batch (send it again to stop at once)`);
    controller.abort(name);
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  try {
    return await run(controller.signal);
  } catch (e) {
    if (e instanceof TailguardError && e.code === 'interrupted') {
      // A sharded run resumes by being launched again; a single run needs --resume.
      const shardedRun = argv.some((a) => a.startsWith('--world-size')) || process.env.TAILGUARD_WORLD_SIZE !== undefined;
      const again = ['tailguard', ...argv.filter((a) => a !== '--resume' && a !== '--force'), ...(shardedRun ? [] : ['--resume'])].map(shellQuote).join(' ');
      stderrLine.print(`tailguard: ${e.message}${resumable ? `\nresume with: ${again}` : ''}`);
      process.exit(SIGNAL_EXIT[controller.signal.reason as string] ?? 130);
    }
    throw e;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}
