import pLimit from 'p-limit';

/**
 * Map an async iterable with at most `concurrency` calls of `fn` running, yielding results in
 * input order. Reading runs ahead by at most twice the concurrency, so memory stays bounded.
 */
export async function* orderedMap<T, R>(source: AsyncIterable<T>, fn: (item: T) => Promise<R>, concurrency: number): AsyncGenerator<R> {
  const limit = pLimit(concurrency);
  const pending: Promise<R>[] = [];
  for await (const item of source) {
    const p = limit(() => fn(item));
    p.catch(() => {}); // surfaced when awaited in order below; avoids an unhandled rejection meanwhile
    pending.push(p);
    while (pending.length >= concurrency * 2) yield await pending.shift()!;
  }
  while (pending.length > 0) yield await pending.shift()!;
}
