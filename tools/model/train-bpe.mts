/**
 * Step 2 of the model recipe: train a byte-level BPE tokenizer (GPT-2 style) on the Brown train
 * split and write tokenizer.json + tokenizer_config.json that @xenova/transformers loads.
 *
 * Vocabulary: ids 0..255 are the 256 byte symbols (in byte order, spelled with the GPT-2
 * bytes-to-unicode table), then one id per merge result, and `<|endoftext|>` takes the last id.
 * Pre-tokenization uses exactly the regex of transformers.js's ByteLevel pre-tokenizer, so the
 * words counted here are the words the runtime tokenizer will apply merges to.
 *
 * Usage: npx tsx tools/model/train-bpe.mts <train.jsonl> <outDir> [vocabSize=8192] [context=256]
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bytesToUnicode } from '../../src/prior/transformers/bytes.js';
import { learnMerges } from './bpe-merges.mts';

const [trainFile, outDir, vocabArg, contextArg] = process.argv.slice(2);
if (!trainFile || !outDir) throw new Error('usage: train-bpe.mts <train.jsonl> <outDir> [vocabSize] [context]');
const VOCAB_SIZE = Number(vocabArg ?? 8192);
const CONTEXT = Number(contextArg ?? 256); // the model's context, tokenizer_config's model_max_length
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
const words: number[][] = [];
const counts: number[] = [];
for (const [piece, count] of wordCounts) {
  words.push(Array.from(encoder.encode(piece)));
  counts.push(count);
}

const merges = learnMerges(words, counts, symbols, EOT_ID);

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
  model_max_length: CONTEXT,
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
