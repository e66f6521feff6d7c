import test, { type ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { readBrown } from '../src/index.js';
import { cli, startNode } from './helpers/cli.js';
import { copyShippedModel, flipBytes } from './helpers/model-copy.js';
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

test('a missing model folder is a model error (exit 4) that names it and the fix', async (t) => {
  const base = JSON.parse(await readFile('pipelines/toedit.json', 'utf8'));
  const missing = join(dir, 'missing-model.json');
  await writeFile(missing, JSON.stringify({ ...base, prior: { ...base.prior, model: join(dir, 'no-such-model') } }));
  const m = await cli(['run', missing, '--out', join(dir, 'm'), '--limit', '1'], offline);
  t.is(m.code, 4, m.stderr);
  t.regex(m.stderr, /Model folder "\S+no-such-model" does not exist\./);
  t.notRegex(m.stderr, /NETWORK ATTEMPT/, 'a missing local model never falls back to the hub');
});

/** Run a one-document pipeline on model folder `model`; stderr must hold our message and nothing of onnxruntime's. */
async function runOn(t: ExecutionContext, model: string): Promise<string> {
  const base = JSON.parse(await readFile('pipelines/toedit.json', 'utf8'));
  const pipeline = join(model, '..', `${basename(model)}.json`);
  await writeFile(pipeline, JSON.stringify({ ...base, prior: { ...base.prior, model } }));
  const r = await cli(['run', pipeline, '--out', join(model, '..', `${basename(model)}-run`), '--limit', '1'], offline);
  t.is(r.code, 4, r.stderr);
  t.notRegex(r.stderr, /^\s+at /m, 'no stack trace');
  t.notRegex(r.stderr, /wasm|onnxruntime|Something went wrong/i, "nothing of onnxruntime's or transformers.js's own");
  t.notRegex(r.stderr, /NETWORK ATTEMPT/, 'a broken local model never falls back to the hub');
  t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  return r.stderr;
}

test('a byte-flipped model (same size) is a model error (exit 4) naming the file and both hashes; without SHA256SUMS the probe refuses it', async (t) => {
  const { folder, onnx } = await copyShippedModel(dir, 'flipped');
  await flipBytes(onnx);
  const sums = await readFile(join(folder, 'SHA256SUMS'), 'utf8');
  const expected = /^([0-9a-f]{64}) {2}onnx\/decoder_model_merged\.onnx$/m.exec(sums)![1];
  const actual = createHash('sha256').update(await readFile(onnx)).digest('hex');
  const checked = await runOn(t, folder);
  t.true(checked.includes(`Model file "${onnx}" does not match its checksum`), checked);
  t.true(checked.includes(`expected sha256 ${expected}, actual ${actual}`), checked);
  t.regex(checked, /make model/);

  await rm(join(folder, 'SHA256SUMS'));
  const probed = await runOn(t, folder);
  t.true(probed.includes(`Model "${folder}" fails the sanity probe`), probed);
});

test('a truncated model without SHA256SUMS is a model error (exit 4) with onnxruntime\'s reason and none of its traces', async (t) => {
  const { folder, onnx } = await copyShippedModel(dir, 'truncated');
  await rm(join(folder, 'SHA256SUMS'));
  await truncate(onnx, Math.floor((await stat(onnx)).size / 3));
  const stderr = await runOn(t, folder);
  t.true(stderr.includes(`Could not load "${onnx}" (missing, truncated or not an ONNX graph?): Failed to load model because protobuf parsing failed.`), stderr);
});
