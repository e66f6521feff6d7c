import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readCorpus, TailguardError } from '../src/index.js';
import { collect } from './helpers/brown-prior.js';
import { newTempDir, removeTempDir } from './helpers/temp-dir.js';

const fields = { textField: 'text', idField: 'id' };
const dir = await newTempDir('readers');

test.after.always(() => removeTempDir(dir));

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
  // Two thirds of these lines are bad: the reject share guard is lifted to see every reject.
  const items = await collect(readCorpus({ format: 'jsonl', path: file, ...fields, maxRejectShare: 1 }));
  const docs = items.flatMap((i) => (i.ok ? [i.doc] : []));
  const rejects = items.flatMap((i) => (i.ok ? [] : [i.reject]));
  t.deepEqual(docs.map((d) => d.id), ['a', '7', 'mixed.jsonl:10']);
  t.deepEqual(docs[0].meta, { lang: 'en', source: 'x' });
  t.is(docs[1].text, 'Numeric id, CRLF line end.');
  t.deepEqual(
    rejects.map((r) => [r.line, r.kind, r.reason.split(':')[0]]),
    [
      [2, 'malformed-json', 'malformed JSON'],
      [4, 'not-an-object', 'record is an array, expected an object'],
      [5, 'missing-text', 'missing text field "text"'],
      [6, 'text-not-a-string', 'text field "text" is a number, expected a string'],
      [7, 'empty-text', 'empty text (nothing but whitespace)'],
      [8, 'duplicate-id', 'duplicate id "a"'],
    ],
  );
  t.true(rejects.every((r) => r.file === file));
  t.is(rejects[2].reason, 'missing text field "text": the record has fields "id", "body"; set --text-field (or "textField" in the input) to the one holding the text');
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

test('JSONL bytes: invalid UTF-8, lone surrogates, bad ids and over-long lines are rejected with byte offsets; control characters pass through', async (t) => {
  const file = join(dir, 'bytes.jsonl');
  const lines = [
    Buffer.from('{"id":"ok","text":"caf\u00e9 \\u0000 nul and \\u0007 bell"}'),
    Buffer.concat([Buffer.from('{"id":"latin1","text":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]),
    Buffer.from('{"id":"raw-nul","text":"a\u0000b"}'),
    Buffer.from('{"id":"sur","text":"half \\ud800 pair"}'),
    Buffer.from('{"id":{"nested":1},"text":"object id"}'),
    Buffer.from(`{"id":"long","text":"${'x'.repeat(3000)}"}`),
    Buffer.from('{"id":"last","text":"no newline at the end","meta":"plain"}'),
  ];
  await writeFile(file, Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\r\n')]).slice(0, -1)));
  const items = await collect(readCorpus({ format: 'jsonl', path: file, ...fields, maxRecordBytes: 2048, maxRejectShare: 1 }));
  t.deepEqual(items.map((i) => (i.ok ? i.doc.id : i.reject.kind)), ['ok', 'invalid-utf8', 'malformed-json', 'invalid-unicode', 'bad-id', 'record-too-long', 'last']);
  t.is(items[0].ok && items[0].doc.text, 'caf\u00e9 \u0000 nul and \u0007 bell');
  t.deepEqual(items[6].ok && items[6].doc.meta, { meta: 'plain' }, 'a meta that is not an object is kept, not dropped');
  const rejects = items.flatMap((i) => (i.ok ? [] : [i.reject]));
  const starts = lines.map((_, i) => lines.slice(0, i).reduce((n, l) => n + l.length + 2, 0));
  const bad = starts[1] + lines[1].indexOf(0xe9);
  t.deepEqual(rejects.map((r) => [r.line, r.offset]), [[2, bad], [3, starts[2]], [4, starts[3]], [5, starts[4]], [6, starts[5]]]);
  t.regex(rejects[0].reason, new RegExp(`invalid UTF-8 at byte ${bad} \\(0xe9\\)`));
  t.regex(rejects[4].reason, /3\d{3} bytes, longer than the limit of 2048 \(input\.maxRecordBytes\)/);
});

test('byte lines: records and multi-byte characters cut at every chunk boundary read the same', async (t) => {
  const { byteLines } = await import('../src/corpus/byte-lines.js');
  const data = Buffer.from('{"text":"na\u00efve \u20ac \ud83d\ude00"}\r\n\n{"text":"two"}\nlast');
  const whole = [];
  for await (const l of byteLines([data], 1e6)) whole.push('bytes' in l ? [l.line, l.offset, l.bytes?.toString('utf8')] : l);
  t.deepEqual(whole.map((w) => (Array.isArray(w) ? w[0] : -1)), [1, 2, 3, 4]);
  for (let cut = 1; cut < data.length; cut++) {
    const got = [];
    for await (const l of byteLines([data.subarray(0, cut), data.subarray(cut)], 1e6)) got.push('bytes' in l ? [l.line, l.offset, l.bytes?.toString('utf8')] : l);
    if (JSON.stringify(got) !== JSON.stringify(whole)) return t.fail(`cut at ${cut}`);
  }
  t.pass();
});

test('gzip JSONL reads like plain JSONL; a truncated stream keeps the good lines and ends in one reject', async (t) => {
  const { gzipSync } = await import('node:zlib');
  const body = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ id: `d${i}`, text: `Document number ${i} of a gzip file.` })).join('\n') + '\n';
  const gz = gzipSync(body);
  await writeFile(join(dir, 'whole.jsonl.gz'), gz);
  await writeFile(join(dir, 'cut.jsonl.gz'), gz.subarray(0, Math.floor(gz.length * 0.6)));
  const whole = await collect(readCorpus({ format: 'jsonl', path: join(dir, 'whole.jsonl.gz'), ...fields }));
  t.is(whole.length, 2000);
  t.true(whole.every((i) => i.ok));
  const cut = await collect(readCorpus({ format: 'jsonl', path: join(dir, 'cut.jsonl.gz'), ...fields }));
  const last = cut[cut.length - 1];
  t.true(cut.slice(0, -1).every((i) => i.ok), 'every line before the cut is a document');
  t.true(cut.length > 10 && cut.length < 2000);
  t.is(!last.ok && last.reject.kind, 'truncated');
  t.regex(!last.ok ? last.reject.reason : '', new RegExp(`gzip stream is truncated or corrupt \\(unexpected end of file\\) at line ${cut.length}`));
});

test('text files and JSON arrays refuse invalid UTF-8 instead of replacing it', async (t) => {
  const folder = join(dir, 'latin1');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'a.txt'), Buffer.from([0xef, 0xbb, 0xbf, 0x48, 0x69]));
  await writeFile(join(folder, 'b.txt'), Buffer.from([0x48, 0x69, 0xff]));
  const texts = await collect(readCorpus({ format: 'text', path: folder }));
  t.deepEqual(texts.map((i) => (i.ok ? i.doc.text : [i.reject.kind, i.reject.offset])), ['Hi', ['invalid-utf8', 2]]);
  const array = join(dir, 'latin1.json');
  await writeFile(array, Buffer.concat([Buffer.from('[{"id":"a","text":"ok"},{"id":"b","text":"caf'), Buffer.from([0xe9]), Buffer.from('"}]')]));
  const items = await collect(readCorpus({ format: 'json', path: array, ...fields }));
  t.deepEqual(items.map((i) => (i.ok ? i.doc.id : i.reject.kind)), ['a', 'invalid-utf8']);
});
