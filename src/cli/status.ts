import { formatFolderStatus, folderStatus } from '../pipeline/run-status.js';
import { HEARTBEAT_SECONDS, STALE_SECONDS } from '../pipeline/shards/heartbeat.js';
import { defineCommand, expectArgs, seconds } from './command.js';

const HELP = `Usage: tailguard status <run folder> [--stalled-after SECONDS] [--json]

Tells where the run in a folder stands. A single run: finished (its manifest is written, which
happens last), interrupted (a checkpoint and no manifest: stopped, killed, or cut short while
finishing; --resume continues it) or unfinished (killed before its first checkpoint).
A sharded run: its tasks, from its folder (shared by the machines that run it):
  done      finished, with records and seconds
  running   its heartbeat (touched every ${HEARTBEAT_SECONDS} s) is fresh: host and pid
  stalled   its heartbeat stopped over ${STALE_SECONDS} s ago (--stalled-after): killed or its machine lost;
            a relaunch resumes it
  failed    stopped on an error, which is shown; a relaunch resumes it
  stopped   interrupted cleanly with a checkpoint
  pending   not started
then what is left to do. Exits 0 whenever the folder's state could be read.

Options:
  --stalled-after S  seconds without a heartbeat before a task counts as stalled (default ${STALE_SECONDS});
                     more for a shared file system that shows changes late
  --json             the status as JSON

Example:
  tailguard status runs/big`;

export const statusCommand = defineCommand('status', HELP, { json: { type: 'boolean' }, 'stalled-after': { type: 'string' } }, async (v, positionals) => {
  expectArgs('status', positionals, 'run folder');
  const status = await folderStatus(positionals[0], { stalledAfter: seconds('stalled-after', v['stalled-after']) });
  console.log(v.json ? JSON.stringify(status, null, 2) : formatFolderStatus(positionals[0], status));
  return 0;
});
