import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from './free-port.js';
import { newTempDir, removeTempDir } from './temp-dir.js';

/** Debian's redis-server (package redis-server; `make test` installs it). */
export const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/sbin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));

/**
 * A real Redis server of its own for a test file: 127.0.0.1 on a free port, nothing saved to
 * disk. `stop` kills it and removes its working folder.
 */
export async function startRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const dir = await newTempDir('redis');
  const child = spawn(REDIS_SERVER!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d;
      if (output.includes('Ready to accept connections')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code} before it was ready:\n${output}`)));
    child.once('error', reject);
  });
  const stop = async () => {
    child.kill('SIGKILL');
    await removeTempDir(dir);
  };
  return { url: `redis://127.0.0.1:${port}`, stop };
}
