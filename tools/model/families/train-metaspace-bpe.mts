/**
 * The Llama-family tokenizer of the test models: a SentencePiece-style BPE (what Llama 2, TinyLlama
 * and Mistral ship as tokenizer.json), trained on the Brown train split and written in the layout
 * transformers' LlamaConverter writes (non-legacy):
 *   ids 0 `<unk>`, 1 `<s>`, 2 `</s>`, 3..258 the byte-fallback tokens `<0x00>`..`<0xFF>`, then the
 *   alphabet (single characters), then one id per merge result;
 *   pre-tokenizer Metaspace (replacement U+2581, prepend_scheme "first", split false), no normalizer,
 *   BPE with byte_fallback and fuse_unk, decoder Replace(U+2581 -> " ") + ByteFallback + Fuse + Strip,
 *   post-processor TemplateProcessing "<s> $A" (add_bos_token).
 * The alphabet keeps the characters that cover 99.95% of the training text (SentencePiece's default
 * character_coverage) and never a control or whitespace character other than the space: as in Llama,
 * newlines and rare characters (accents, CJK, emoji) are spelled by byte fallback, so every Brown
 * paragraph break exercises it.
 * Merges never cross a word start (U+2581) or a byte-fallback character, as SentencePiece's pieces do not.
 *
 * Usage: npx tsx tools/model/families/train-metaspace-bpe.mts <train.jsonl> <outDir> [vocabSize=4096] [context=256]
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { learnMerges } from '../bpe-merges.mts';

const [trainFile, outDir, vocabArg, contextArg] = process.argv.slice(2);
if (!trainFile || !outDir) throw new Error('usage: train-metaspace-bpe.mts <train.jsonl> <outDir> [vocabSize] [context]');
const VOCAB_SIZE = Number(vocabArg ?? 4096);
const CONTEXT = Number(contextArg ?? 256);
const SPACE = '\u2581';
const CHARACTER_COVERAGE = 0.9995;
const SPECIALS = ['<unk>', '<s>', '</s>'];
const BYTES = Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);

const texts = (await readFile(trainFile, 'utf8')).split('\n').filter((l) => l).map((l) => (JSON.parse(l) as { text: string }).text);
/** The text as the runtime's Metaspace pre-tokenizer sees it: spaces replaced, one U+2581 prepended. */
const metaspace = (text: string) => SPACE + text.replaceAll(' ', SPACE);

// The alphabet: most frequent characters first (ties by code point) up to the coverage.
const charCounts = new Map<string, number>();
let totalChars = 0;
for (const text of texts) {
  for (const ch of metaspace(text)) {
    charCounts.set(ch, (charCounts.get(ch) ?? 0) + 1);
    totalChars++;
  }
}
const eligible = [...charCounts].filter(([ch]) => ch === SPACE || !/[\p{Cc}\p{Z}\s]/u.test(ch));
eligible.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
const alphabet: string[] = [];
let covered = 0;
for (const [ch, count] of eligible) {
  if (covered >= CHARACTER_COVERAGE * totalChars && ch !== SPACE) break;
  alphabet.push(ch);
  covered += count;
}

const symbols = [...SPECIALS, ...BYTES, ...alphabet];
const alphabetId = new Map(alphabet.map((ch, i) => [ch, SPECIALS.length + BYTES.length + i]));

// Words: pieces that start at a U+2581, cut at every character outside the alphabet.
const wordCounts = new Map<string, number>();
for (const text of texts) {
  for (const piece of metaspace(text).match(new RegExp(`${SPACE}?[^${SPACE}]*`, 'gu')) ?? []) {
    let run = '';
    for (const ch of piece) {
      if (alphabetId.has(ch)) { run += ch; continue; }
      if (run) wordCounts.set(run, (wordCounts.get(run) ?? 0) + 1);
      run = '';
    }
    if (run) wordCounts.set(run, (wordCounts.get(run) ?? 0) + 1);
  }
}
const words: number[][] = [];
const counts: number[] = [];
for (const [word, count] of wordCounts) {
  words.push(Array.from(word, (ch) => alphabetId.get(ch) as number));
  counts.push(count);
}
const merges = learnMerges(words, counts, symbols, VOCAB_SIZE);

const vocab: Record<string, number> = {};
symbols.forEach((s, i) => (vocab[s] = i));
const special = (id: number) => ({ id, content: SPECIALS[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
const tokenizer = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: SPECIALS.map((_, id) => special(id)),
  normalizer: null,
  pre_tokenizer: { type: 'Metaspace', replacement: SPACE, prepend_scheme: 'first', split: false },
  post_processor: {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
    pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<s>', type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
    special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
  },
  decoder: {
    type: 'Sequence',
    decoders: [
      { type: 'Replace', pattern: { String: SPACE }, content: ' ' },
      { type: 'ByteFallback' },
      { type: 'Fuse' },
      { type: 'Strip', content: ' ', start: 1, stop: 0 },
    ],
  },
  model: {
    type: 'BPE',
    dropout: null,
    unk_token: '<unk>',
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: true,
    byte_fallback: true,
    ignore_merges: false,
    vocab,
    merges,
  },
};
const tokenizerConfig = {
  add_bos_token: true,
  add_eos_token: false,
  bos_token: '<s>',
  eos_token: '</s>',
  unk_token: '<unk>',
  pad_token: null,
  clean_up_tokenization_spaces: false,
  legacy: false,
  model_max_length: CONTEXT,
  sp_model_kwargs: {},
  spaces_between_special_tokens: false,
  tokenizer_class: 'LlamaTokenizer',
  use_default_system_prompt: false,
};
await mkdir(outDir, { recursive: true });
await writeFile(join(outDir, 'tokenizer.json'), JSON.stringify(tokenizer));
await writeFile(join(outDir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2) + '\n');
console.log(`Metaspace BPE: alphabet ${alphabet.length} characters (${(100 * covered / totalChars).toFixed(3)}% of the text), ${wordCounts.size} distinct pieces, ${merges.length} merges, vocabulary ${symbols.length}`);
