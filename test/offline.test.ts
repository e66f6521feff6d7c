import test from 'ava';
import { execFileSync } from 'node:child_process';
import { cp, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readBrown } from '../src/index.js';
import { cli, startNode } from './helpers/cli.js';
import { newTempDir, removeTempDir } from './helpers/temp-dir.js';

const dir = await newTempDir('offline');
const NO_NET = ['--import', './test/helpers/no-network.ts'];

/** A network namespace with nothing in it, when this kernel lets an unprivileged user make one. */
function namespaceWrapper(): string[] {
  try {
    execFileSync('unshare', ['-rn', 'true'], { stdio: 'ignore' });
    return ['unshare', '-rn'];
  } catch {
    return [];
  }
}
const wrapper = namespaceWrapper();
const offline = { nodeFlags: NO_NET, wrapper };

// A local server the sandbox must not reach: proof that the sandbox really blocks the network.
const server = createServer((_req, res) => res.end('reachable'));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
test.after.always(() => removeTempDir(dir));
test.after.always(() => server.close());

const probe = `Promise.resolve().then(() => fetch('${url}')).then(async (r) => console.log('GOT', await r.text()), (e) => console.log('BLOCKED', e.message))`;
async function node(code: string, opts: { nodeFlags?: string[]; wrapper?: string[] }) {
  const { stdout, stderr } = await startNode(['-e', code], opts).done;
  return stdout + stderr;
}

test('the sandbox blocks the network: a local server is reachable outside it and not inside it', async (t) => {
  t.regex(await node(probe, {}), /GOT reachable/);
  const inside = await node(probe, offline);
  t.regex(inside, /BLOCKED/);
  t.notRegex(inside, /GOT/);
  // Each layer blocks on its own: the namespace even without the preload.
  if (wrapper.length) t.regex(await node(probe, { wrapper }), /BLOCKED/);
  t.regex(await node(probe, { nodeFlags: NO_NET }), /BLOCKED/);
  t.log(wrapper.length ? 'network namespace (unshare -rn) + JS preload' : 'JS preload only (no unprivileged network namespaces here)');
});

test('a full pipeline with the shipped neural prior runs with the network made impossible', async (t) => {
  const docs: string[] = [];
  for await (const d of readBrown('heldout')) {
    if (docs.length === 3) break;
    docs.push(JSON.stringify({ id: d.id, text: d.text.split(/(?<=\.) /).slice(0, 12).join(' ') }));
  }
  const input = join(dir, 'small.jsonl');
  await writeFile(input, docs.join('\n') + '\n');
  const base = JSON.parse(await readFile('pipelines/toedit.json', 'utf8'));
  const pipeline = join(dir, 'offline.json');
  await writeFile(pipeline, JSON.stringify({ ...base, name: 'offline', input: { format: 'jsonl', path: input }, synthetic: { ...base.synthetic, promptTokens: 16 } }));
  const r = await cli(['run', pipeline, '--out', join(dir, 'run'), '--quiet'], offline);
  t.is(r.code, 0, r.stderr);
  t.notRegex(r.stderr, /NETWORK ATTEMPT/);
  t.regex(r.stdout, /documents\s+3 read, 3 written, 0 rejected/);
  t.true((await stat(join(dir, 'run', 'synthetic.jsonl'))).size > 0);
});

test('a missing or corrupt model folder is a model error (exit 4) that names the file and the fix', async (t) => {
  const base = JSON.parse(await readFile('pipelines/toedit.json', 'utf8'));
  const missing = join(dir, 'missing-model.json');
  await writeFile(missing, JSON.stringify({ ...base, prior: { ...base.prior, model: join(dir, 'no-such-model') } }));
  const m = await cli(['run', missing, '--out', join(dir, 'm'), '--limit', '1'], offline);
  t.is(m.code, 4, m.stderr);
  t.regex(m.stderr, /Model folder "\S+no-such-model" does not exist\./);

  const broken = join(dir, 'broken-model');
  await cp('models/brown-gpt-5m', broken, { recursive: true });
  const onnx = join(broken, 'onnx', 'decoder_model_merged.onnx');
  await truncate(onnx, Math.floor((await stat(onnx)).size / 3));
  const corrupt = join(dir, 'corrupt-model.json');
  await writeFile(corrupt, JSON.stringify({ ...base, prior: { ...base.prior, model: broken } }));
  const c = await cli(['run', corrupt, '--out', join(dir, 'c'), '--limit', '1'], offline);
  t.is(c.code, 4, c.stderr);
  t.regex(c.stderr, /Could not load "\S+decoder_model_merged\.onnx" \(missing, truncated or not an ONNX graph\?\)/);
  t.notRegex(m.stderr + c.stderr, /NETWORK ATTEMPT/, 'a broken local model never falls back to the hub');
});
