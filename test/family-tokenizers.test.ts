import test from 'ava';
import { readBrown, type TokenizedText, TransformersPrior } from '../src/index.js';
import { loadModel, type LoadedModel } from '../src/prior/transformers/load.js';
import { SpanTokenizer } from '../src/prior/transformers/tokenizer.js';
import { FAMILIES, type Family } from './helpers/families.js';

/**
 * Each family's tokenizer with character spans: byte-level BPE (GPT-2; Qwen2 with its digit-splitting
 * pre-tokenizer) and SentencePiece-style BPE (Llama: Metaspace ▁, byte fallback <0xNN>).
 */

const loads = new Map<string, Promise<{ prior: TransformersPrior; loaded: LoadedModel }>>();
function open(f: Family) {
  if (!loads.has(f.name)) loads.set(f.name, Promise.all([TransformersPrior.load({ model: f.folder }), loadModel({ model: f.folder })]).then(([prior, loaded]) => ({ prior, loaded })));
  return loads.get(f.name)!;
}
let heldout: Array<{ id: string; text: string }>;

test.before(async () => {
  heldout = [];
  for await (const doc of readBrown('heldout')) heldout.push({ id: doc.id, text: doc.text });
});

test.after.always(async () => {
  for (const l of loads.values()) {
    const got = await l.catch(() => null);
    await got?.prior.dispose();
    await got?.loaded.model.dispose();
  }
});

const utf8 = new TextEncoder();
function rebuilt(text: string, tokens: TokenizedText): string {
  let out = '';
  for (let i = 0; i < tokens.ids.length; i++) {
    if (i > 0 && tokens.starts[i] !== tokens.ends[i - 1]) return `gap before token ${i}`;
    out += text.slice(tokens.starts[i], tokens.ends[i]);
  }
  return out;
}

/** Text beyond a small vocabulary: accents, typographic quotes, CJK, an emoji, a literal ▁, digits. */
const HARD = 'Café “naïve” — 東京 😀 x▁y 2024: 12345 items\n\n  indented\ttab';

for (const f of FAMILIES) {
  test(`${f.name}: every held-out document tokenizes into spans that rebuild it byte for byte, with the tokenizer's own ids`, async (t) => {
    const { prior, loaded } = await open(f);
    let tokens = 0;
    for (const doc of [...heldout, { id: 'hard', text: HARD }]) {
      const tok = prior.tokenize(doc.text);
      const back = rebuilt(doc.text, tok);
      if (back !== doc.text || Buffer.compare(Buffer.from(utf8.encode(back)), Buffer.from(utf8.encode(doc.text))) !== 0) {
        t.fail(`${doc.id}: spans do not rebuild the document (${back.slice(0, 80)})`);
        return;
      }
      if (tok.ids.length > 0) t.is(tok.ends[tok.ids.length - 1], doc.text.length);
      // The ids are the tokenizer's (no special tokens: Brown spells none).
      t.deepEqual(Array.from(tok.ids), loaded.tokenizer.encode(doc.text, null, { add_special_tokens: false }), `${doc.id}: ids`);
      tokens += tok.ids.length;
    }
    t.true(tokens > 100_000, `${tokens} tokens`);
  });

  test(`${f.name}: text that spells a control token stays text`, async (t) => {
    const { prior } = await open(f);
    const text = `a ${f.bos} b ${f.eos[0]} c`;
    const tok = prior.tokenize(text);
    t.is(rebuilt(text, tok), text);
    t.true(Array.from(tok.ids).every((id) => prior.isEmittable(id)));
  });
}

const llama = FAMILIES.find((f) => f.spelling === 'metaspace')!;

test(`${llama.name}: Metaspace adds no space to the document and writes none when its first token is replaced`, async (t) => {
  const { prior, loaded } = await open(llama);
  const text = 'The jury said it did.';
  const tok = prior.tokenize(text);
  const vocab = loaded.tokenizer.model.vocab;
  t.true(vocab[tok.ids[0]].startsWith('\u2581'), `first token ${vocab[tok.ids[0]]}: the model sees the document-start ▁ it was trained with`);
  t.is(tok.starts[0], 0);
  t.is(text.slice(tok.starts[0], tok.ends[0])[0], 'T', 'the added ▁ takes no character');
  const word = tok.ids[1]; // "▁jury" or a piece of it: a token with its own ▁
  t.true(vocab[word].startsWith('\u2581'));
  const at0 = prior.replacementSpan(text, tok, 0, word);
  t.false(at0.text.startsWith(' '), `replacing the first token writes "${at0.text}"`);
  const at1 = prior.replacementSpan(text, tok, 1, tok.ids[1]);
  t.is(text.slice(0, at1.start) + at1.text + text.slice(at1.end), text, 'a token replaced by itself changes nothing');
  // Generation after an empty prefix writes no leading space either; after a prefix it does.
  t.false(prior.continuationText(new Int32Array(0), tok.ids).startsWith(' '));
  t.is(prior.continuationText(tok.ids.subarray(0, 1), tok.ids.subarray(1, 2))[0], ' ');
});

test(`${llama.name}: byte fallback: characters outside the vocabulary become <0xNN> tokens, each character owned by the token of its last byte`, async (t) => {
  const { prior, loaded } = await open(llama);
  const text = 'A 東京 😀 b';
  const tok = prior.tokenize(text);
  const pieces = Array.from(tok.ids, (id) => loaded.tokenizer.model.vocab[id]);
  const fallback = pieces.filter((p) => /^<0x[0-9A-F]{2}>$/.test(p));
  t.true(fallback.length >= 4, pieces.join(' '));
  t.is(rebuilt(text, tok), text);
  const emoji = text.indexOf('😀');
  const owners = Array.from(tok.ids.keys()).filter((i) => tok.starts[i] <= emoji && tok.ends[i] > emoji);
  t.is(owners.length, 1);
  t.is(text.slice(tok.starts[owners[0]], tok.ends[owners[0]]), '😀');
  // Replacing a byte of the emoji rewrites the whole character with its neighbours' bytes.
  const r = prior.replacementSpan(text, tok, owners[0] - 1, tok.ids[owners[0] - 1]);
  t.is(text.slice(0, r.start) + r.text + text.slice(r.end), text);
});

const qwen2 = FAMILIES.find((f) => f.modelType === 'qwen2')!;

test(`${qwen2.name}: the pre-tokenizer splits digits one by one`, async (t) => {
  const { prior } = await open(qwen2);
  const text = 'In 1961 there were 12345 votes.';
  const tok = prior.tokenize(text);
  const at = text.indexOf('12345');
  const digits = Array.from(tok.ids.keys()).filter((i) => tok.starts[i] >= at && tok.ends[i] <= at + 5);
  t.deepEqual(digits.map((i) => text.slice(tok.starts[i], tok.ends[i])), ['1', '2', '3', '4', '5']);
});

test(`${llama.name}: whole documents, which Metaspace hands BPE as one piece, are not kept in the library's BPE memo`, async (t) => {
  const { loaded } = await open(llama);
  const tok = new SpanTokenizer(loaded.tokenizer, loaded.config.vocab_size, loaded.tokens.special);
  const memo = loaded.tokenizer.model.cache!;
  t.true(memo instanceof Map);
  memo.clear(); // the other tests' tokenizer.encode calls memoize whole documents: the library's own behaviour
  for (const doc of heldout.slice(0, 5)) tok.tokenize(doc.text);
  const longest = () => Math.max(0, ...[...memo.keys()].map((k) => k.length));
  t.true(longest() <= 64, `a ${longest()}-character piece stays memoized`);
  // The library's own encode keeps the document: what the span tokenizer undoes.
  loaded.tokenizer.encode(heldout[0].text, null, { add_special_tokens: false });
  t.true(longest() > 1000);
});
