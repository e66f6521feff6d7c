/**
 * Area under the ROC curve of a score that should be higher for `positive` than for `negative`:
 * the Mann-Whitney probability that a random positive outscores a random negative, ties counting
 * one half. 0.5 is chance; below 0.5 the score points the other way.
 */
export function auroc(positive: readonly number[], negative: readonly number[]): number {
  if (positive.length === 0 || negative.length === 0) return NaN;
  const all = [...positive.map((x) => [x, 1] as const), ...negative.map((x) => [x, 0] as const)].sort((a, b) => a[0] - b[0]);
  // Sum of the positives' mid-ranks, then U = rankSum − n⁺(n⁺+1)/2.
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j][0] === all[i][0]) j++;
    const midRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k][1] === 1) rankSum += midRank;
    i = j;
  }
  const np = positive.length;
  return (rankSum - (np * (np + 1)) / 2) / (np * negative.length);
}
