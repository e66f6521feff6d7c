import test from 'ava';
import { readBrown, wordSpans } from '../src/index.js';

/** Gap, token, gap, token, …, tail: the pieces must give back the input exactly. */
function rebuild(text: string, starts: Int32Array, ends: Int32Array): string {
  let out = '';
  let cursor = 0;
  for (let i = 0; i < starts.length; i++) {
    out += text.slice(cursor, starts[i]) + text.slice(starts[i], ends[i]);
    cursor = ends[i];
  }
  return out + text.slice(cursor);
}

test('word spans round-trip every held-out Brown document, with only whitespace between tokens', async (t) => {
  for await (const doc of readBrown('heldout')) {
    const { forms, starts, ends } = wordSpans(doc.text);
    t.is(rebuild(doc.text, starts, ends), doc.text);
    for (let i = 0; i < forms.length; i++) {
      t.is(doc.text.slice(starts[i], ends[i]), forms[i]);
      const gap = doc.text.slice(i === 0 ? 0 : ends[i - 1], starts[i]);
      if (!/^\s*$/.test(gap)) t.fail(`${doc.id}: non-space gap ${JSON.stringify(gap)}`);
    }
  }
  t.pass();
});

test('words, numbers, clitics and unicode', (t) => {
  const text = "  Don't pay $1,000.50 for café—naïve\r\nwell-known 日本 \u0000x ";
  const { forms, starts, ends } = wordSpans(text);
  t.deepEqual(forms, ["Don't", 'pay', '$', '1,000.50', 'for', 'café', '—', 'naïve', 'well-known', '日本', '\u0000', 'x']);
  t.is(rebuild(text, starts, ends), text);
});
