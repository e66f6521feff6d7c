import test from 'ava';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCorpus } from '../src/corpus/read.js';
import { TailguardError } from '../src/errors.js';
import { collect } from './helpers/brown-prior.js';

const fields = { textField: 'text', idField: 'id' };
const dir = await mkdtemp(join(tmpdir(), 'tailguard-readers-'));

test('JSONL: a malformed line becomes a reject naming file, line and reason; the rest is read', async (t) => {
  const file = join(dir, 'mixed.jsonl');
  await writeFile(
    file,
    [
      '\uFEFF{"id": "a", "text": "First document.", "source": "x", "meta": {"lang": "en"}}',
      '{"id": "b", "text": "Second',
      '',
      '[1, 2]',
      '{"id": "c", "body": "no text field"}',
      '{"id": "d", "text": 42}',
      '{"id": "e", "text": "   "}',
      '{"id": "a", "text": "Duplicate id."}',
      '{"id": 7, "text": "Numeric id, CRLF line end."}\r',
      '{"text": "No id at all."}',
    ].join('\n') + '\n',
  );
  const items = await collect(readCorpus({ format: 'jsonl', path: file, ...fields }));
  const docs = items.flatMap((i) => (i.ok ? [i.doc] : []));
  const rejects = items.flatMap((i) => (i.ok ? [] : [i.reject]));
  t.deepEqual(docs.map((d) => d.id), ['a', '7', 'mixed.jsonl:10']);
  t.deepEqual(docs[0].meta, { lang: 'en', source: 'x' });
  t.is(docs[1].text, 'Numeric id, CRLF line end.');
  t.deepEqual(
    rejects.map((r) => [r.line, r.reason.split(':')[0]]),
    [[2, 'malformed JSON'], [4, 'record is an array, expected an object'], [5, 'missing text field "text"'], [6, 'text field "text" is a number, expected a string'], [7, 'empty text'], [8, 'duplicate id "a"']],
  );
  t.true(rejects.every((r) => r.file === file));
  t.is(items.length, 9, 'every non-blank line is a document or a reject');
});

test('JSON arrays stream record by record; a syntax error becomes one reject after the good records', async (t) => {
  const good = join(dir, 'good.json');
  await writeFile(good, JSON.stringify([{ id: 'x', text: 'One.', tag: 1 }, { id: 'y', text: 'Two.' }, 'not an object']));
  const items = await collect(readCorpus({ format: 'json', path: good, ...fields }));
  t.deepEqual(items.map((i) => (i.ok ? i.doc.id : `reject@${i.reject.line}`)), ['x', 'y', 'reject@2']);
  t.deepEqual(items[0].ok && items[0].doc.meta, { tag: 1 });

  const bad = join(dir, 'bad.json');
  await writeFile(bad, '[{"id": "x", "text": "One."}, {"id": "y", "text": "Tw');
  const badItems = await collect(readCorpus({ format: 'json', path: bad, ...fields }));
  t.is(badItems.length, 2);
  t.true(badItems[0].ok);
  t.regex(!badItems[1].ok ? badItems[1].reject.reason : '', /malformed JSON array after record 0/);
});

test('text folders give one document per .txt file in path order', async (t) => {
  const folder = join(dir, 'texts');
  await mkdir(join(folder, 'sub'), { recursive: true });
  await writeFile(join(folder, 'b.txt'), 'Bee.');
  await writeFile(join(folder, 'a.txt'), 'Ay.');
  await writeFile(join(folder, 'sub', 'c.txt'), 'Sea.');
  await writeFile(join(folder, 'ignored.md'), 'Not text.');
  const items = await collect(readCorpus({ format: 'text', path: folder }));
  t.deepEqual(items.map((i) => i.ok && [i.doc.id, i.doc.text]), [['a.txt', 'Ay.'], ['b.txt', 'Bee.'], [join('sub', 'c.txt'), 'Sea.']]);
});

test('a missing input or a directory given as a file is a clear input error', async (t) => {
  const missing = await t.throwsAsync(collect(readCorpus({ format: 'jsonl', path: join(dir, 'nope.jsonl'), ...fields })), { instanceOf: TailguardError });
  t.regex(missing!.message, /nope\.jsonl: input not found/);
  await t.throwsAsync(collect(readCorpus({ format: 'jsonl', path: dir, ...fields })), { message: /is a directory/ });
});
