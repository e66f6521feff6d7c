/**
 * The first k items of the order `compare` defines, as `[...items].sort(compare).slice(0, k)`
 * gives them (ties keep the order they came in), in one pass that keeps a sorted list of k.
 * For the audit's top-40s of n-gram tables with hundreds of thousands of entries, where sorting
 * everything to keep 40 was its largest cost.
 */
export function firstK<T>(items: Iterable<T>, k: number, compare: (a: T, b: T) => number): T[] {
  const best: T[] = [];
  if (k <= 0) return best;
  for (const item of items) {
    if (best.length === k && compare(item, best[k - 1]) >= 0) continue;
    let j = best.length < k ? best.length : k - 1;
    while (j > 0 && compare(item, best[j - 1]) < 0) {
      best[j] = best[j - 1];
      j--;
    }
    best[j] = item;
  }
  return best;
}
