/**
 * The Qwen2-family tokenizer of the test models: a byte-level BPE trained on the Brown train split
 * and written in the layout Qwen2 / Qwen2.5 ship as tokenizer.json:
 *   normalizer NFC; pre-tokenizer Sequence[Split(Qwen2 regex, Isolated), ByteLevel(use_regex false)],
 *   so digits are split one by one and letters keep a leading non-letter; BPE without byte fallback
 *   (every byte is in the vocabulary); decoder and post-processor ByteLevel;
 *   ids 0..255 the byte symbols (GPT-2 bytes-to-unicode spelling), then one id per merge result,
 *   then the special tokens `<|endoftext|>`, `<|im_start|>`, `<|im_end|>` (as Qwen2 numbers them:
 *   after the regular vocabulary). No BOS is added (Qwen2's tokenizer_config has bos_token null).
 * The model's config.json pads vocab_size above the tokenizer's size, as Qwen2 does (151,936 rows for
 * 151,646 tokens), so a prior must not assume logits width == tokenizer size.
 *
 * Usage: npx tsx tools/model/families/train-qwen2-bpe.mts <train.jsonl> <outDir> [regularVocab=16384] [context=256]
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bytesToUnicode } from '../../../src/prior/transformers/bytes.js';
import { learnMerges } from '../bpe-merges.mts';

const [trainFile, outDir, vocabArg, contextArg] = process.argv.slice(2);
if (!trainFile || !outDir) throw new Error('usage: train-qwen2-bpe.mts <train.jsonl> <outDir> [regularVocab] [context]');
const REGULAR = Number(vocabArg ?? 16384);
const CONTEXT = Number(contextArg ?? 256);
const SPECIALS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];
/** Qwen2's pre-tokenizer regex, as its tokenizer.json spells it (Rust regex syntax). */
const QWEN2_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
/** The same in JavaScript, which has no inline (?i:) group: the contractions spelled case by case. */
const QWEN2_JS = new RegExp(
  QWEN2_REGEX.replace("(?i:'s|'t|'re|'ve|'m|'ll|'d)", "'(?:[sS]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])"),
  'gu',
);

const byteChar = bytesToUnicode();
const encoder = new TextEncoder();
const wordCounts = new Map<string, number>();
for (const line of (await readFile(trainFile, 'utf8')).split('\n')) {
  if (!line) continue;
  const text = (JSON.parse(line) as { text: string }).text.normalize('NFC');
  for (const piece of text.match(QWEN2_JS) ?? []) wordCounts.set(piece, (wordCounts.get(piece) ?? 0) + 1);
}
const symbols: string[] = byteChar.slice();
const words: number[][] = [];
const counts: number[] = [];
for (const [piece, count] of wordCounts) {
  words.push(Array.from(encoder.encode(piece)));
  counts.push(count);
}
const merges = learnMerges(words, counts, symbols, REGULAR);

const vocab: Record<string, number> = {};
symbols.forEach((s, i) => (vocab[s] = i));
const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
const tokenizer = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: SPECIALS.map((content, i) => ({
    id: symbols.length + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  })),
  normalizer: { type: 'NFC' },
  pre_tokenizer: {
    type: 'Sequence',
    pretokenizers: [
      { type: 'Split', pattern: { Regex: QWEN2_REGEX }, behavior: 'Isolated', invert: false },
      byteLevel,
    ],
  },
  post_processor: byteLevel,
  decoder: byteLevel,
  model: {
    type: 'BPE',
    dropout: null,
    unk_token: null,
    continuing_subword_prefix: '',
    end_of_word_suffix: '',
    fuse_unk: false,
    byte_fallback: false,
    ignore_merges: false,
    vocab,
    merges,
  },
};
const tokenizerConfig = {
  add_prefix_space: false,
  bos_token: null,
  chat_template: null,
  clean_up_tokenization_spaces: false,
  eos_token: '<|endoftext|>',
  errors: 'replace',
  model_max_length: CONTEXT,
  pad_token: '<|endoftext|>',
  split_special_tokens: false,
  tokenizer_class: 'Qwen2Tokenizer',
  unk_token: null,
};
await mkdir(outDir, { recursive: true });
await writeFile(join(outDir, 'tokenizer.json'), JSON.stringify(tokenizer));
await writeFile(join(outDir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2) + '\n');
console.log(`Qwen2 BPE: ${wordCounts.size} distinct pre-tokenized words, ${merges.length} merges, ${symbols.length} regular tokens + ${SPECIALS.length} special`);
