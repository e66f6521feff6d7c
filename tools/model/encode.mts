/**
 * Step 3 of the model recipe: encode the Brown splits with the transformers.js tokenizer itself
 * (so training ids are exactly the ids the prior sees at run time) and check that every document
 * round-trips: decode(encode(text)) === text.
 *
 * Writes, per split, `<split>.bin` (uint16 ids; every document starts with the document-start token,
 * <|endoftext|> unless a third argument names another, e.g. <s> for the Llama-family test model) and
 * `<split>.docs.json` (document ids, token offsets and lengths, character and word counts).
 *
 * Usage: npx tsx tools/model/encode.mts <cacheDir> <tokenizerDir> [documentStartToken]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AutoTokenizer, env } from '@xenova/transformers';

const [cacheDir, tokDir, startToken = '<|endoftext|>'] = process.argv.slice(2);
if (!cacheDir || !tokDir) throw new Error('usage: encode.mts <cacheDir> <tokenizerDir>');
env.allowRemoteModels = false;
env.localModelPath = dirname(resolve(tokDir)) + '/';
const tokenizer = await AutoTokenizer.from_pretrained(basename(resolve(tokDir)));
const EOT_ID = tokenizer.model.tokens_to_ids.get(startToken) as number;
if (EOT_ID === undefined) throw new Error(`${tokDir}: the tokenizer has no token ${startToken}`);

let failures = 0;
for (const split of ['train', 'heldout']) {
  const docs = (await readFile(join(cacheDir, `${split}.jsonl`), 'utf8'))
    .split('\n')
    .filter((l) => l)
    .map((l) => JSON.parse(l) as { id: string; text: string });
  const pieces: number[][] = [];
  const meta = [];
  let offset = 0;
  let words = 0;
  let chars = 0;
  for (const doc of docs) {
    const ids: number[] = tokenizer.encode(doc.text, null, { add_special_tokens: false });
    const back: string = tokenizer.decode(ids);
    if (back !== doc.text) {
      failures++;
      console.error(`round trip FAILED for ${doc.id}`);
    }
    const w = doc.text.split(/\s+/).filter((x) => x.length > 0).length;
    words += w;
    chars += doc.text.length;
    pieces.push([EOT_ID, ...ids]);
    meta.push({ id: doc.id, offset, length: ids.length + 1, chars: doc.text.length, words: w });
    offset += ids.length + 1;
  }
  const all = new Uint16Array(offset);
  let at = 0;
  for (const p of pieces) { all.set(p, at); at += p.length; }
  await writeFile(join(cacheDir, `${split}.bin`), all);
  await writeFile(join(cacheDir, `${split}.docs.json`), JSON.stringify({ eot: EOT_ID, tokens: offset, chars, words, docs: meta }, null, 1));
  console.log(`${split}: ${docs.length} documents, ${offset - docs.length} tokens (+${docs.length} ${startToken}), ${(chars / (offset - docs.length)).toFixed(2)} chars/token, ${words} words`);
}
if (failures > 0) throw new Error(`${failures} documents did not round-trip`);
console.log('round trip: all documents exact');
