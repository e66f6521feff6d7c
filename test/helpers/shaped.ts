/** Sampling settings the samplers are tested with. */
export const SHAPES = [
  { temperature: 0.7, topK: 0, topP: 1 },
  { temperature: 1, topK: 5, topP: 1 },
  { temperature: 1, topK: 0, topP: 0.5 },
  { temperature: 1.3, topK: 20, topP: 0.8 },
];

/**
 * The exact distribution sampling should follow, computed the slow obvious way: sort, temper,
 * cut to top-k, cut to the smallest prefix reaching top-p, renormalise.
 */
export function shaped(v: number, emittable: (id: number) => boolean, p: (id: number) => number, options: { temperature: number; topK: number; topP: number }): Map<number, number> {
  const ids = Array.from({ length: v }, (_, i) => i).filter(emittable);
  ids.sort((a, b) => p(b) - p(a) || a - b);
  const w = ids.map((i) => Math.pow(p(i), 1 / options.temperature));
  const z = w.reduce((a, b) => a + b, 0);
  let keep = options.topK > 0 ? Math.min(options.topK, ids.length) : ids.length;
  if (options.topP < 1) {
    let cum = 0;
    for (let j = 0; j < keep; j++) {
      cum += w[j];
      if (cum >= options.topP * z) {
        keep = j + 1;
        break;
      }
    }
  }
  const kept = w.slice(0, keep).reduce((a, b) => a + b, 0);
  return new Map(ids.slice(0, keep).map((id, j) => [id, w[j] / kept]));
}
