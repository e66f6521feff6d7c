/**
 * Byte-pair merge learning shared by the tokenizer trainers (the shipped model's byte-level BPE and
 * the test models of each family): given words as symbol-id sequences with their counts, merge the
 * most frequent adjacent pair until the vocabulary holds `maxSymbols` distinct strings.
 * Ties break on the smaller pair key, so the result is deterministic.
 *
 * `symbols` (id -> string) is extended in place; the merges come back in learning order, spelled
 * "left right" as tokenizer.json stores them.
 */
export function learnMerges(words: number[][], counts: number[], symbols: string[], maxSymbols: number): string[] {
  const symbolId = new Map<string, number>(symbols.map((s, i) => [s, i]));
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
  // Stop when the vocabulary (distinct strings) holds maxSymbols entries (the caller keeps room for its
  // special tokens). Two different merges can spell the same string; they share one id, so merges may outnumber new symbols.
  while (symbols.length < maxSymbols) {
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
  return merges;
}
