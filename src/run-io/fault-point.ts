/**
 * Named points of a run where a test can stop it as a crash or a signal would, at an exact moment
 * instead of a guessed one (a test that polls for a checkpoint and then sends a signal races the
 * run on a busy machine). The points: `checkpoint:<sequence>` once that checkpoint is saved,
 * `write:<file>` when an atomically written file is complete under its `.partial` name but not yet
 * renamed, `close:<file>` once an output file is at its final (or quarantine) name.
 *
 * A child process is stopped by the environment: TAILGUARD_TEST_KILL_AT=<point> sends it
 * TAILGUARD_TEST_KILL_SIGNAL (default SIGKILL) there. In-process tests set a hook instead.
 * Nothing else reads these variables; a user never needs them.
 */
type Hook = (point: string) => void | Promise<void>;

let hook: Hook | undefined;

/** Call `fn` at every point reached in this process until the returned function removes it (tests). */
export function onFaultPoint(fn: Hook): () => void {
  hook = fn;
  return () => {
    if (hook === fn) hook = undefined;
  };
}

/** Point `point` is reached: stop here if a test asked for it. */
export async function faultPoint(point: string): Promise<void> {
  await hook?.(point);
  if (process.env.TAILGUARD_TEST_KILL_AT !== point) return;
  const signal = (process.env.TAILGUARD_TEST_KILL_SIGNAL ?? 'SIGKILL') as NodeJS.Signals;
  if (signal === 'SIGKILL') {
    process.kill(process.pid, signal);
    // A signal a process sends itself is delivered before kill() returns; nothing after this runs.
    await new Promise(() => {});
  }
  // Go on only once the process's own handlers have seen the signal, so where the run stops
  // after it (the end of the next batch) does not depend on when the event loop gets to it.
  const seen = new Promise((resolve) => process.once(signal, resolve));
  // Signal watchers do not keep the event loop alive: without a timer Node could exit first.
  const alive = setInterval(() => {}, 60_000);
  process.kill(process.pid, signal);
  await seen;
  clearInterval(alive);
}
