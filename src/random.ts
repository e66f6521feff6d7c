import { fnv1a } from './hash.js';

/**
 * Seeded randomness. Every document gets its own stream derived from the run seed and the
 * document id, so results never depend on batch size, concurrency or processing order.
 */
export interface Rng {
  /** A double uniform in [0, 1). */
  next(): number;
}

/** splitmix32: spreads a 32-bit seed into well-mixed state words. */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** xoshiro128**: small, fast, statistically sound for sampling (not for cryptography). */
export function createRng(seed: number): Rng {
  const mix = splitmix32(seed);
  let a = mix(), b = mix(), c = mix(), d = mix();
  if ((a | b | c | d) === 0) a = 1;
  return {
    next(): number {
      const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
      const t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = rotl(d, 11);
      return result / 4294967296;
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** The random stream of one document in one stage: seed, stage name and id fully determine it. */
export function rngFor(runSeed: number, stage: string, docId: string): Rng {
  return createRng(fnv1a(docId, fnv1a(stage, fnv1a(String(runSeed)))));
}
