/** One metric at one point over the repeats: the values in seed order and their summary. */
export interface Spread {
  mean: number;
  /** Sample standard deviation (0 for one repeat). */
  sd: number;
  min: number;
  max: number;
  values: number[];
}

export function spread(values: number[]): Spread {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, min: Math.min(...values), max: Math.max(...values), values };
}
