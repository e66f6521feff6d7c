import test from 'ava';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Document, readBrown } from '../src/index.js';
import { cli } from './helpers/cli.js';
import { newTempDir, removeTempDir } from './helpers/temp-dir.js';

const root = await newTempDir('bad-input');
const dir = join(root, 'inputs'); // outputs go beside it, so a stray path from the data would show up here
await mkdir(dir);
const brown: Document[] = [];
for await (const d of readBrown('heldout')) if (brown.length < 4) brown.push(d);
const BIG = 16 * 1024 * 1024;

/** One record per bad-input kind, with the reject kind it must produce (null: a document). */
const records: [string | Buffer, string | null][] = [
  ['\uFEFF' + JSON.stringify({ id: 'first', text: brown[0].text, source: 'brown' }) + '\r', null], // BOM, CRLF
  ['{"id": "m1", "text": "unterminated', 'malformed-json'],
  ['"just a string"', 'not-an-object'],
  ['[1, 2]', 'not-an-object'],
  ['null', 'not-an-object'],
  ['{"id": "nt", "body": "no text field"}', 'missing-text'],
  ['{"id": "num", "text": 5}', 'text-not-a-string'],
  ['{"id": "nulltext", "text": null}', 'text-not-a-string'],
  ['{"id": "empty", "text": ""}', 'empty-text'],
  ['{"id": "blank", "text": " \\n\\t "}', 'empty-text'],
  [Buffer.concat([Buffer.from('{"id": "latin1", "text": "caf'), Buffer.from([0xe9]), Buffer.from(' au lait"}')]), 'invalid-utf8'],
  ['{"id": "ctrl", "text": "Before\\u0000after, a \\u0007 bell, an \\u001b[31m escape\\tand a tab."}', null],
  ['{"id": "rawnul", "text": "a\u0000b"}', 'malformed-json'],
  ['{"id": "sur", "text": "half a pair \\ud800 here"}', 'invalid-unicode'],
  ['{"id": {"deep": 1}, "text": "an object id"}', 'bad-id'],
  [JSON.stringify({ id: 'bigmeta', text: 'A short text with a huge field beside it.', blob: 'x'.repeat(BIG) }), null],
  [`{"id": "bigbad", "text": "${'y'.repeat(BIG)}`, 'malformed-json'],
  [JSON.stringify({ id: 'long', text: brown.slice(1).map((d) => d.text).join('\n\n') }), null], // far beyond a 256-token context
  [JSON.stringify({ id: 'first', text: 'A second record with the id of the first.' }), 'duplicate-id'],
  [JSON.stringify({ id: '../../escape/../x', text: 'An id that looks like a path must never become one.' }), null],
  ['', null], // a blank line is not a record
];
const file = join(dir, 'bad.jsonl');
await writeFile(file, Buffer.concat(records.map(([r]) => Buffer.concat([Buffer.from(r), Buffer.from('\n')]))));
const inputRecords = records.filter(([r]) => r.length > 0);
const expectedKinds = inputRecords.flatMap(([, k]) => (k ? [k] : [])).sort();

const jsonl = async (path: string) => (await readFile(path, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));

async function editBad(name: string, extra: string[] = []) {
  const out = join(root, name);
  // Most records here are bad on purpose: the reject share guard is lifted to see each one handled.
  const r = await cli(['edit', file, '--out', out, '--quiet', '--max-reject-share', '1', ...extra]);
  return { r, out };
}

async function checkRun(t: import('ava').ExecutionContext, out: string) {
  const edited = await jsonl(join(out, 'edited.jsonl'));
  const rejects = await jsonl(join(out, 'rejects.jsonl'));
  t.is(edited.length + rejects.length, inputRecords.length, 'records in = edited lines + reject lines');
  t.deepEqual(rejects.map((r) => r.kind).sort(), expectedKinds);
  for (const r of rejects) {
    t.is(r.file, file);
    t.true(typeof r.line === 'number' && typeof r.reason === 'string' && r.reason.length > 10, JSON.stringify(r));
  }
  t.true(rejects.every((r) => r.reason.length < 500), 'a reject never copies a huge line into its reason');
  const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
  t.deepEqual(manifest.inputs[file].read, inputRecords.length);
  t.is(manifest.inputs[file].written + manifest.inputs[file].rejected, inputRecords.length);
  const byId = new Map(edited.map((e) => [e.id, e]));
  t.is(byId.get('ctrl').text.slice(0, 12), 'Before\u0000after', 'control characters pass through untouched');
  t.is(byId.get('bigmeta').meta.blob.length, BIG, 'a tens-of-MB record survives whole');
  t.is(byId.get('first').meta.source, 'brown');
  // Names from data never become paths: the run folder holds the run's files and nothing else.
  t.deepEqual((await readdir(out)).filter((f) => !/^(edited|edits|rejects)\.jsonl$|^(manifest|report|stats\.\w+)\.json$|^report\.(md|html)$/.test(f)), []);
  t.deepEqual(await readdir(root).then((d) => d.filter((f) => f.includes('escape'))), []);
  return { edited, edits: await jsonl(join(out, 'edits.jsonl')), rejects };
}

const ngram = editBad('ngram');

test.after.always(() => removeTempDir(root));

test('every bad-input kind through `tailguard edit` with the default prior: exit 0, each reject names its kind and reason, accounting balances', async (t) => {
  const { r, out } = await ngram;
  t.is(r.code, 0, r.stderr);
  await checkRun(t, out);
  t.regex(r.stdout, new RegExp(`documents\\s+${inputRecords.length} read, \\d+ written, ${expectedKinds.length} rejected`));
});

test('the neural prior scores a document far longer than its context in windows: nothing is truncated', async (t) => {
  const { r, out } = await editBad('neural', ['--pipeline', 'pipelines/toedit.json']);
  t.is(r.code, 0, r.stderr);
  const { edited, edits } = await checkRun(t, out);
  const input = JSON.parse(inputRecords.find(([rec]) => String(rec).includes('"id":"long"'))![0] as string).text as string;
  const i = edited.findIndex((e) => e.id === 'long');
  t.true(edited[i].tailguard.tokens > 20 * 256, `tokens ${edited[i].tailguard.tokens}`);
  t.true(edits[i].edits.some((e: { position: number }) => e.position > 10 * 256), 'edits far past the first context window');
  // Rebuild the output from the input and the edit log: every character is accounted for to the end.
  let text = '';
  let cursor = 0;
  for (const e of edits[i].edits) {
    text += input.slice(cursor, e.start) + e.replacement;
    cursor = e.end;
  }
  t.is(text + input.slice(cursor), edited[i].text);
});

test('--strict stops at the first bad record with the message its reject would carry', async (t) => {
  const { r } = await editBad('strict', ['--strict']);
  t.is(r.code, 3, r.stderr);
  const [first] = await jsonl(join((await ngram).out, 'rejects.jsonl'));
  t.is(first.line, 2);
  t.true(r.stderr.includes(`${file}:${first.line}: ${first.reason} (--strict stops at the first bad record)`), r.stderr);
});

test('a truncated gzip file, an empty file, a missing file and a directory named like a file', async (t) => {
  const body = brown.map((d) => JSON.stringify({ id: d.id, text: d.text })).join('\n') + '\n';
  const gz = gzipSync(body);
  const cut = join(dir, 'cut.jsonl.gz');
  await writeFile(cut, gz.subarray(0, Math.floor(gz.length * 0.7)));
  const g = await cli(['edit', cut, '--out', join(root, 'gz'), '--quiet']);
  t.is(g.code, 0, g.stderr);
  const rejects = await jsonl(join(root, 'gz', 'rejects.jsonl'));
  t.deepEqual(rejects.map((x) => x.kind), ['truncated']);
  t.regex(rejects[0].reason, /gzip stream is truncated or corrupt \(unexpected end of file\) at line \d; the rest of the file is unreadable/);
  t.regex(g.stdout, /documents\s+(\d) read, (\d) written, 1 rejected/);

  const empty = join(dir, 'empty.jsonl');
  await writeFile(empty, '');
  const e = await cli(['edit', empty, '--out', join(root, 'empty')]);
  t.is(e.code, 0, e.stderr);
  t.regex(e.stdout, /documents\s+0 read, 0 written, 0 rejected/);
  t.regex(e.stdout, /no records were read from jsonl:\S+empty\.jsonl: the input is empty/);
  t.is((await cli(['edit', empty, '--out', join(root, 'empty-strict'), '--strict', '--quiet'])).code, 3);

  const missing = await cli(['edit', join(dir, 'nope.jsonl'), '--out', join(root, 'missing')]);
  t.is(missing.code, 3);
  t.regex(missing.stderr, /nope\.jsonl: input not found \(ENOENT\)/);

  await mkdir(join(dir, 'folder.jsonl'));
  const folder = await cli(['edit', join(dir, 'folder.jsonl'), '--out', join(root, 'folder')]);
  t.is(folder.code, 3);
  t.regex(folder.stderr, /folder\.jsonl: is a directory; give a file/);
});
