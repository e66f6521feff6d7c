/**
 * Running lower bounds for a calibrated threshold, so a calibration pass reads candidates (and
 * places them) only where the final threshold could still select. Both are histograms of 1000
 * bins over the probability; neither decides the threshold, they only decide what is read:
 * a floor that turns out too high is caught afterwards (see thresholdOf) and costs a second pass.
 */

/** Tokens seen before a floor is trusted: until then candidates are read everywhere. */
const TRUST_AFTER = 5000;

/**
 * The probability above which twice the target share (plus 2 points) of the tokens seen so far
 * lie. Reading candidates only above it skips most of a neural prior's top-k passes during
 * calibration, while the threshold (the target-share quantile) would have to drift far to fall
 * below it.
 */
export class CandidateFloor {
  private readonly bins = new Float64Array(1000);
  private count = 0;

  constructor(private readonly targetShare: number) {}

  add(p: number): void {
    this.bins[Math.min(999, Math.floor(p * 1000))]++;
    this.count++;
  }

  /** -1 (candidates everywhere) until enough tokens were seen to trust the histogram. */
  value(): number {
    if (this.count < TRUST_AFTER) return -1;
    return floorWhere(this.bins, Math.min(1, 2 * this.targetShare + 0.02) * this.count);
  }
}

/**
 * The changed-share counterpart: the probability above which the tokens seen so far are expected
 * to change twice the target share (plus 1 point) of all tokens. A changed-share threshold takes
 * tokens from the most probable down until their expected changes reach the target, so it needs
 * each token's chance of changing (its candidates, placed) only down to about there; below the
 * floor a token's chance is left unknown and never enters the histogram, which can only lower
 * later floors (read more), never raise them.
 */
export class ChangedShareFloor {
  private readonly bins = new Float64Array(1000);
  private count = 0;

  constructor(private readonly targetShare: number) {}

  /** A token's probability and its chance of changing when selected (NaN: not computed). */
  add(p: number, change: number): void {
    this.count++;
    if (!Number.isNaN(change) && change > 0) this.bins[Math.max(0, Math.min(999, Math.floor(p * 1000)))] += change;
  }

  value(): number {
    if (this.count < TRUST_AFTER) return -1;
    return floorWhere(this.bins, Math.min(1, 2 * this.targetShare + 0.01) * this.count);
  }
}

/** The lower edge of the highest bin at which the bins from the top add up to `wanted` (-1: none or the lowest). */
function floorWhere(bins: Float64Array, wanted: number): number {
  let above = 0;
  for (let b = bins.length - 1; b >= 0; b--) {
    above += bins[b];
    if (above >= wanted) return b === 0 ? -1 : b / bins.length;
  }
  return -1;
}
