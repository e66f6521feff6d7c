/**
 * Step 2 of the model recipe: train a byte-level BPE tokenizer (GPT-2 style) on the Brown train
 * split and write tokenizer.json + tokenizer_config.json that @xenova/transformers loads.
 *
 * Vocabulary: ids 0..255 are the 256 byte symbols (in byte order, spelled with the GPT-2
 * bytes-to-unicode table), then one id per merge result, and `<|endoftext|>` takes the last id.
 * Pre-tokenization uses exactly the regex of transformers.js's ByteLevel pre-tokenizer, so the
 * words counted here are the words the runtime tokenizer will apply merges to.
 *
 * Usage: npx tsx tools/model/train-bpe.mts <train.jsonl> <outDir> [vocabSize=8192]
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bytesToUnicode } from '../../src/prior/transformers/bytes.js';

const [trainFile, outDir, vocabArg] = process.argv.slice(2);
if (!trainFile || !outDir) throw new Error('usage: train-bpe.mts <train.jsonl> <outDir> [vocabSize]');
const VOCAB_SIZE = Number(vocabArg ?? 8192);
const EOT = '<|endoftext|>';
const EOT_ID = VOCAB_SIZE - 1;

/** The GPT-2 pre-tokenizer regex, copied from transformers.js (ByteLevelPreTokenizer). */
const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

const byteChar = bytesToUnicode();
const encoder = new TextEncoder();

// Count pre-tokenized words (as byte-symbol sequences) over the training documents.
const wordCounts = new Map<string, number>();
for (const line of (await readFile(trainFile, 'utf8')).split('\n')) {
  if (!line) continue;
  const { text } = JSON.parse(line) as { text: string };
  for (const piece of text.match(GPT2_PATTERN) ?? []) {
    wordCounts.set(piece, (wordCounts.get(piece) ?? 0) + 1);
  }
}

// Symbols: strings of the vocabulary; words are arrays of symbol ids.
const symbols: string[] = byteChar.slice();
const symbolId = new Map<string, number>(symbols.map((s, i) => [s, i]));
const words: number[][] = [];
const counts: number[] = [];
for (const [piece, count] of wordCounts) {
  words.push(Array.from(encoder.encode(piece)));
  counts.push(count);
}

// Pair statistics, updated incrementally: count and the words that contain the pair.
const SHIFT = 1 << 16; // symbol ids stay below 65536
const pairCount = new Map<number, number>();
const pairWords = new Map<number, Set<number>>();
function addPairs(w: number, sign: number): void {
  const word = words[w];
  for (let i = 0; i + 1 < word.length; i++) {
    const key = word[i] * SHIFT + word[i + 1];
    pairCount.set(key, (pairCount.get(key) ?? 0) + sign * counts[w]);
    if (sign > 0) {
      let set = pairWords.get(key);
      if (!set) pairWords.set(key, (set = new Set()));
      set.add(w);
    }
  }
}
for (let w = 0; w < words.length; w++) addPairs(w, 1);

// A lazy max-heap of [count, key]: stale entries are skipped when popped.
const heap: Array<[number, number]> = [];
const better = (a: [number, number], b: [number, number]) => a[0] > b[0] || (a[0] === b[0] && a[1] < b[1]);
function push(e: [number, number]): void {
  heap.push(e);
  let i = heap.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!better(heap[i], heap[p])) break;
    [heap[i], heap[p]] = [heap[p], heap[i]];
    i = p;
  }
}
function pop(): [number, number] | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length > 0 && last) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < heap.length && better(heap[l], heap[m])) m = l;
      if (r < heap.length && better(heap[r], heap[m])) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  }
  return top;
}
for (const [key, c] of pairCount) push([c, key]);

const merges: string[] = [];
// Stop when the vocabulary (distinct strings) has room for only <|endoftext|>. Two different
// merges can spell the same string; they share one id, so merges may outnumber new symbols.
while (symbols.length < EOT_ID) {
  const top = pop();
  if (!top) break;
  const [c, key] = top;
  if (pairCount.get(key) !== c || c <= 0) continue; // stale heap entry
  const a = Math.floor(key / SHIFT), b = key % SHIFT;
  const merged = symbols[a] + symbols[b];
  let id = symbolId.get(merged);
  if (id === undefined) {
    id = symbols.length;
    symbols.push(merged);
    symbolId.set(merged, id);
  }
  merges.push(`${symbols[a]} ${symbols[b]}`);
  const touched = new Set<number>();
  for (const w of pairWords.get(key) ?? []) {
    const word = words[w];
    let has = false;
    for (let i = 0; i + 1 < word.length; i++) if (word[i] === a && word[i + 1] === b) { has = true; break; }
    if (!has) continue;
    addPairs(w, -1);
    const out: number[] = [];
    for (let i = 0; i < word.length; i++) {
      if (i + 1 < word.length && word[i] === a && word[i + 1] === b) { out.push(id); i++; }
      else out.push(word[i]);
    }
    words[w] = out;
    addPairs(w, 1);
    for (let i = 0; i + 1 < out.length; i++) touched.add(out[i] * SHIFT + out[i + 1]);
  }
  pairCount.delete(key);
  pairWords.delete(key);
  for (const t of touched) {
    const tc = pairCount.get(t) ?? 0;
    if (tc > 0) push([tc, t]);
  }
}

const vocab: Record<string, number> = {};
symbols.forEach((s, i) => (vocab[s] = i));
vocab[EOT] = EOT_ID;

const tokenizer = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: [
    { id: EOT_ID, content: EOT, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
  ],
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
  decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  model: {
    type: 'BPE',
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: '',
    end_of_word_suffix: '',
    fuse_unk: false,
    byte_fallback: false,
    vocab,
    merges,
  },
};
const tokenizerConfig = {
  tokenizer_class: 'GPT2Tokenizer',
  model_max_length: 256,
  clean_up_tokenization_spaces: false,
  add_prefix_space: false,
  add_bos_token: false,
  bos_token: EOT,
  eos_token: EOT,
  unk_token: EOT,
  pad_token: EOT,
};
await mkdir(outDir, { recursive: true });
await writeFile(join(outDir, 'tokenizer.json'), JSON.stringify(tokenizer));
await writeFile(join(outDir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2) + '\n');
console.log(`BPE: ${wordCounts.size} distinct pre-tokenized words, ${merges.length} merges, vocabulary ${symbols.length + 1}`);
