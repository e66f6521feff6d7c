import test from 'ava';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withoutComments } from '../src/config-file.js';
import { loadPipeline, openRecordWriter, readBrown } from '../src/index.js';
import { collect } from './helpers/brown-prior.js';
import { cli } from './helpers/cli.js';
import { newTempDir, removeTempDir } from './helpers/temp-dir.js';

const dir = await newTempDir('init');

/**
 * Brown held-out documents as a user's corpus might hold them: the text under "content", the id
 * under "doc_id", with a short title and a long URL (a long string that is not prose) beside them.
 */
const brown = (await collect(readBrown('heldout'))).slice(0, 12);
const records = brown.map((d, i) => ({ url: `https://example.org/archive/${d.id}/${'x'.repeat(80)}`, title: d.text.split(' ').slice(0, 5).join(' '), doc_id: `doc-${i}`, content: d.text, year: 1961 }));
const jsonl = join(dir, 'news.jsonl');
await writeFile(jsonl, records.map((r) => JSON.stringify(r)).join('\n') + '\n');

test.after.always(() => removeTempDir(dir));

/** A line's value in the written pipeline: "key": value. */
const keyOf = (text: string, key: string) => new RegExp(`"${key}": "([^"]*)"`).exec(text)?.[1];

test('init on a JSONL file guesses the text and id fields, comments every key, and the pipeline runs', async (t) => {
  const out = join(dir, 'news.jsonc');
  const r = await cli(['init', jsonl, '--out', out]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /text field "content"/);
  t.regex(r.stdout, /id field "doc_id"/);
  const text = await readFile(out, 'utf8');
  t.is(keyOf(text, 'textField'), 'content');
  t.is(keyOf(text, 'idField'), 'doc_id');
  // Every key line has a comment line right above it.
  const lines = text.split('\n');
  const keyLines = lines.flatMap((l, i) => (/^\s*"[^"]+":/.test(l) ? [i] : []));
  t.true(keyLines.length >= 15);
  for (const i of keyLines) t.regex(lines[i - 1], /^\s*\/\/ /, `no comment above: ${lines[i]}`);

  const run = await cli(['run', out, '--limit', '3', '--out', join(dir, 'news-run'), '--quiet']);
  t.is(run.code, 0, run.stderr);
  const edited = (await readFile(join(dir, 'news-run', 'edited.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  t.deepEqual(edited.map((d) => d.id), ['doc-0', 'doc-1', 'doc-2'], 'the guessed id field names the documents');
  t.deepEqual(edited[0].meta, { url: records[0].url, title: records[0].title, year: 1961 }, 'the other fields are kept as meta');
  t.true(edited[0].text.length > 0.9 * records[0].content.length, 'the guessed text field is the one edited');
});

test('init on a Parquet file guesses from its columns', async (t) => {
  await mkdir(join(dir, 'pq'));
  const writer = openRecordWriter(join(dir, 'pq', 'news.jsonl'), { format: 'parquet', rowGroupRecords: 5 });
  for (const r of records) await writer.write(r);
  await writer.close();
  const out = join(dir, 'parquet.jsonc');
  const r = await cli(['init', join(dir, 'pq', 'news.parquet'), '--out', out]);
  t.is(r.code, 0, r.stderr);
  const config = await loadPipeline(out);
  t.like(config.input, { format: 'parquet', textField: 'content', idField: 'doc_id' });
});

test('without a file init writes a pipeline on Brown held-out (never the prior\u2019s training split) that runs', async (t) => {
  const out = join(dir, 'brown.jsonc');
  t.is((await cli(['init', '--out', out])).code, 0);
  const config = await loadPipeline(out);
  t.deepEqual(config.input, { format: 'brown', split: 'heldout' });
  t.like(config.prior, { type: 'ngram', train: { format: 'brown', split: 'train' } });
  const run = await cli(['run', out, '--limit', '2', '--out', join(dir, 'brown-run'), '--quiet', '--json']);
  t.is(run.code, 0, run.stderr);
  t.is(JSON.parse(run.stdout).documents.written, 2);
});

test('init never replaces a file without --force; no string field, or a file of another kind, is named', async (t) => {
  const out = join(dir, 'taken.jsonc');
  await writeFile(out, 'mine');
  const refused = await cli(['init', jsonl, '--out', out]);
  t.is(refused.code, 5);
  t.regex(refused.stderr, /taken\.jsonc exists; pass --force/);
  t.is(await readFile(out, 'utf8'), 'mine');
  t.is((await cli(['init', jsonl, '--out', out, '--force'])).code, 0);
  t.is(keyOf(await readFile(out, 'utf8'), 'textField'), 'content');

  const gappy = join(dir, 'gappy.jsonl');
  await writeFile(gappy, records.slice(0, 10).map((r, i) => JSON.stringify(i === 3 ? { ...r, content: null } : r)).join('\n'));
  const few = await cli(['init', gappy, '--out', join(dir, 'gappy.jsonc')]);
  t.is(few.code, 0, few.stderr);
  t.regex(few.stdout, /text field "content": .*; 1 of the 10 records read have none \(a run rejects them\)/);

  const numbers = join(dir, 'numbers.jsonl');
  await writeFile(numbers, '{"id": 1, "value": 2}\n{"id": 2, "value": 3}\n');
  const none = await cli(['init', numbers, '--out', join(dir, 'none.jsonc')]);
  t.is(none.code, 3);
  t.regex(none.stderr, /numbers\.jsonl: no field holds a string in 90% of the 2 records read \(fields: "id", "value"\)/);
  const unknown = await cli(['init', join(dir, 'notes.md'), '--out', join(dir, 'md.jsonc')]);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /notes\.md: cannot tell the format/);
});

test('pipeline files may hold comments: strings that look like comments are kept, positions stay', (t) => {
  const text = '{\n  // the queue\n  "redis": "redis://10.0.0.5:6379", /* a "quoted" note */ "path": "a/*b*/c\\"//d"\n}';
  const stripped = withoutComments(text);
  t.is(stripped.length, text.length);
  t.is(stripped.split('\n').length, text.split('\n').length);
  t.deepEqual(JSON.parse(stripped), { redis: 'redis://10.0.0.5:6379', path: 'a/*b*/c"//d' });
  // A syntax error after a comment is reported where it is in the file as written.
  const bad = '// note\n{ "a": 1,, }';
  const at = (s: string) => /position (\d+)/.exec((() => { try { JSON.parse(s); return ''; } catch (e) { return (e as Error).message; } })())?.[1];
  t.is(at(withoutComments(bad)), String(bad.indexOf(',,') + 1));
});
