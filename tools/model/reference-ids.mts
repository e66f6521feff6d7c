/**
 * Step 6a of the model recipe: tokenize the reference texts with the transformers.js tokenizer,
 * so reference.py (PyTorch) scores exactly the ids the TypeScript prior will see.
 * Texts: a held-out Brown paragraph (the first of 60-250 tokens), a plain sentence, and a text
 * with multi-byte UTF-8 characters. Each fits one context window, so the reference needs no
 * windowing. With `fullDocuments` > 0 (the test models of each family), the first that many held-out
 * documents are also written whole to reference-documents.json, to be scored in windows.
 *
 * Usage: npx tsx tools/model/reference-ids.mts <cacheDir> <tokenizerDir> [maxParagraphTokens=250] [fullDocuments=0]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AutoTokenizer, env } from '@xenova/transformers';

const [cacheDir, tokDir, maxArg, docsArg] = process.argv.slice(2);
const maxTokens = Number(maxArg ?? 250);
const fullDocuments = Number(docsArg ?? 0);
if (!cacheDir || !tokDir) throw new Error('usage: reference-ids.mts <cacheDir> <tokenizerDir>');
env.allowRemoteModels = false;
env.localModelPath = dirname(resolve(tokDir)) + '/';
const tokenizer = await AutoTokenizer.from_pretrained(basename(resolve(tokDir)));
const encode = (text: string): number[] => tokenizer.encode(text, null, { add_special_tokens: false });

const heldout = (await readFile(join(cacheDir, 'heldout.jsonl'), 'utf8')).split('\n').filter((l) => l)
  .map((l) => JSON.parse(l) as { id: string; text: string });
let paragraph: { id: string; text: string } | undefined;
for (const doc of heldout) {
  for (const p of doc.text.split('\n\n')) {
    const n = encode(p).length;
    if (n >= 60 && n <= maxTokens) { paragraph = { id: doc.id, text: p }; break; }
  }
  if (paragraph) break;
}
if (!paragraph) throw new Error(`no held-out paragraph of 60-${maxTokens} tokens`);
const texts = [
  { name: `held-out paragraph (${paragraph.id})`, text: paragraph.text },
  { name: 'plain sentence', text: 'The committee said on Monday that the new plan would be put to a vote next week.' },
  { name: 'multi-byte UTF-8', text: 'Naïve café owners in São Paulo paid 12€ for “fancy” 東京 tea 🍵, didn\'t they?' },
];
const out = texts.map((t) => ({ ...t, ids: encode(t.text) }));
await writeFile(join(cacheDir, 'reference-input.json'), JSON.stringify(out, null, 1));
for (const t of out) console.log(`${t.name}: ${t.ids.length} tokens`);
if (fullDocuments > 0) {
  const docs = heldout.slice(0, fullDocuments).map((d) => ({ name: `held-out document ${d.id}`, text: d.text, ids: encode(d.text) }));
  await writeFile(join(cacheDir, 'reference-documents.json'), JSON.stringify(docs));
  for (const d of docs) console.log(`${d.name}: ${d.ids.length} tokens`);
}
