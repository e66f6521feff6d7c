/**
 * Step 1 of the model recipe: write the Brown train and held-out texts, exactly as the rest of
 * Tailguard reads them (src/corpus/brown.ts), to JSON Lines in the cache folder. Training the
 * tokenizer and the model from these files guarantees the prior sees the same text at build time
 * as at run time.
 *
 * Usage: npx tsx tools/model/dump-brown.mts [cacheDir]   (default .cache/model)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBrown } from '../../src/corpus/brown.ts';

const cacheDir = process.argv[2] ?? '.cache/model';
await mkdir(cacheDir, { recursive: true });
for (const split of ['train', 'heldout'] as const) {
  const lines: string[] = [];
  let chars = 0;
  let words = 0;
  for await (const doc of readBrown(split)) {
    lines.push(JSON.stringify({ id: doc.id, text: doc.text }));
    chars += doc.text.length;
    words += doc.text.split(/\s+/).filter((w) => w.length > 0).length;
  }
  await writeFile(join(cacheDir, `${split}.jsonl`), lines.join('\n') + '\n');
  console.log(`${split}: ${lines.length} documents, ${chars} characters, ${words} words`);
}
