import { formatStatus, shardStatus } from '../pipeline/shards/status.js';
import { defineCommand, expectArgs } from './command.js';

const HELP = `Usage: tailguard status <run folder> [--json]

Lists the tasks of a sharded run, from its folder (shared by the machines that run it):
  done      finished, with records and seconds
  running   its heartbeat (touched every 10 s) is fresh: host and pid
  stalled   its heartbeat stopped over 30 s ago: killed or its machine lost; a relaunch resumes it
  failed    stopped on an error, which is shown; a relaunch resumes it
  stopped   interrupted cleanly with a checkpoint
  pending   not started
then what is left to do.

Example:
  tailguard status runs/big`;

export const statusCommand = defineCommand('status', HELP, { json: { type: 'boolean' } }, async (v, positionals) => {
  expectArgs('status', positionals, 'run folder');
  const status = await shardStatus(positionals[0]);
  console.log(v.json ? JSON.stringify(status, null, 2) : formatStatus(positionals[0], status));
  return 0;
});
