import test from 'ava';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { readCorpus, readBrown } from '../src/index.js';
import { InputPosition } from '../src/pipeline/input-position.js';
import { ItemCount, Progress, StatusLine } from '../src/progress.js';
import { tempDir } from './helpers/temp-dir.js';

const CLEAR = '\r\x1b[2K';

/** A terminal that records what is written, and a clock the test moves. */
function fakeTerminal() {
  const out = { isTTY: true, text: '', write: (s: string) => (out.text += s) };
  let now = 1_000_000;
  return { out, line: new StatusLine(out), clock: { now: () => now, advance: (ms: number) => (now += ms) } };
}

/** What a terminal shows: each line as it stands after the last clear. */
const visible = (text: string) => text.split('\n').map((l) => l.split(CLEAR).at(-1)!);

test('a message is printed on its own line above the bar, and the bar comes back under it', (t) => {
  const { out, line, clock } = fakeTerminal();
  const progress = new Progress('tailguard', undefined, 'tokens', { line, now: clock.now, animateEvery: 0 });
  progress.phase('opening the n-gram prior');
  t.regex(out.text, /tailguard opening the n-gram prior \| 0s$/, 'the phase shows from its first instant');
  line.print('loaded kneser-ney-3gram');
  const shown = visible(out.text);
  t.is(shown[0], 'loaded kneser-ney-3gram', 'the message is alone on its line');
  t.regex(shown[1], /^tailguard opening the n-gram prior/, 'the bar is drawn again below');
  progress.finish();
  t.true(out.text.endsWith(CLEAR), 'finish clears the line');
  line.print('done');
  t.is(visible(out.text).at(-1), '', 'a message after finish does not bring the bar back');
});

test('a phase with a byte measure draws a bar with the share, bytes, rate and an ETA from the clock', (t) => {
  const { line, clock } = fakeTerminal();
  const progress = new Progress('tailguard', undefined, 'tokens', { line, now: clock.now, animateEvery: 0 });
  const bytes = { total: 4 * 1024 * 1024, done: 0 };
  progress.phase('editing', { bytes });
  clock.advance(10_000);
  bytes.done = 1024 * 1024;
  progress.tick(5, 20_000);
  t.is(progress.render(), 'tailguard editing [######..................] 25% 1.0 MB/4.0 MB, 5 docs, 2000 tokens/s, ETA 30s');
  progress.phase('writing the audit and reports');
  t.regex(progress.render(), /^tailguard writing the audit and reports [|/\\-] 0s$/, 'a phase without a total is a spinner with the time');
});

test('a phase with a document total shows N/M documents; without a terminal nothing is drawn', (t) => {
  const { out, line, clock } = fakeTerminal();
  const progress = new Progress('tailguard', undefined, 'tokens', { line, now: clock.now, animateEvery: 0 });
  progress.phase('editing', { total: 50 });
  clock.advance(4_000);
  progress.tick(10, 8_000);
  t.is(progress.render(), 'tailguard editing [#####...................] 20% 10/50 docs, 2000 tokens/s, ETA 16s');
  const pipe = { isTTY: false, text: '', write: (s: string) => (pipe.text += s) };
  const silent = new Progress('tailguard', 50, 'tokens', { line: new StatusLine(pipe), animateEvery: 0 });
  silent.phase('editing');
  silent.tick(10, 100);
  silent.finish();
  t.is(pipe.text, '');
  t.not(out.text, '');
});

test('compare and simulate count their items with an ETA from the clock', (t) => {
  let now = 0;
  const count = new ItemCount(4, () => now);
  now = 30_000;
  t.is(count.next(), '1/4, ETA 1m30s');
  now = 40_000;
  t.is(count.next(), '2/4, ETA 40s');
  count.next();
  t.is(count.next(), '4/4');
});

test('the byte position of a JSONL pass follows the records processed, and a compressed file counts whole once the next begins', async (t) => {
  const dir = await tempDir(t, 'progress');
  const lines: string[] = [];
  for await (const d of readBrown('heldout')) if (lines.length < 6) lines.push(JSON.stringify({ id: d.id, text: d.text }));
  await writeFile(join(dir, 'a.jsonl'), lines.slice(0, 3).join('\n') + '\n');
  await writeFile(join(dir, 'b.jsonl.gz'), gzipSync(lines.slice(3).join('\n') + '\n'));
  const spec = { format: 'files' as const, path: dir, textField: 'text', idField: 'id' };
  const position = (await InputPosition.of(spec))!;
  const items = [];
  for await (const item of position.follow(readCorpus(spec))) items.push(item);
  t.is(items.length, 6);
  t.is(position.done, 0, 'nothing is done before it is processed');
  const sizeA = Buffer.byteLength(lines.slice(0, 3).join('\n') + '\n');
  position.advance(2);
  t.is(position.done, Buffer.byteLength(lines[0] + '\n'), 'the second record starts where the first ends');
  position.advance(1);
  t.true(position.done < sizeA);
  position.advance(1);
  t.is(position.done, sizeA, 'a.jsonl is done once b.jsonl.gz begins; within the compressed file offsets do not count');
  t.true(position.total > sizeA);
  t.is(await InputPosition.of({ format: 'brown', split: 'heldout' }), undefined, 'Brown goes by document count instead');
});

test('in a terminal, a run shows what it does from the start and its log lines never share the bar line', async (t) => {
  const dir = await tempDir(t, 'progress');
  const lines: string[] = [];
  for await (const d of readBrown('heldout')) if (lines.length < 12) lines.push(JSON.stringify({ id: d.id, text: d.text }));
  await writeFile(join(dir, 'corpus.jsonl'), lines.join('\n') + '\n');
  // util-linux's `script` gives the run a real terminal (Debian has it in every install).
  const command = `${process.execPath} --import tsx src/cli.ts edit ${join(dir, 'corpus.jsonl')} --out ${join(dir, 'out')}`;
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  t.is(r.status, 0, r.stdout);
  const text = r.stdout.replace(/\r\n/g, '\n');
  t.true(text.startsWith(`${CLEAR}tailguard opening the n-gram prior`), text.slice(0, 120));
  for (const phase of ['calibrating the threshold', 'editing [', 'writing the audit']) t.true(text.includes(`tailguard ${phase}`), phase);
  t.regex(text, /editing \[[#.]{24}\] \d+% \d+ KB\/\d+ KB/, 'a file of known size gets a byte-based bar');
  const logLines = visible(text).filter((l) => /^(loaded|calibrated)/.test(l));
  t.is(logLines.length, 2, 'the prior and calibration lines are shown whole');
  for (const l of visible(text)) t.notRegex(l, /\S.*tailguard (opening|calibrating|editing)/, `a message and a bar share a line: ${l}`);
});
