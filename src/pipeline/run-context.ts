import type { CalibrationRule } from '../edit/calibrate.js';
import { resampleOptions } from '../edit/config.js';
import { type LockedSpans, lockedMask } from '../edit/provenance.js';
import type { Calibration } from '../edit/threshold.js';
import type { PriorModel, TokenScores } from '../prior/types.js';
import type { PipelineConfig } from './config.js';

/**
 * What every step of a run sees, decided before the first document: the pipeline, the prior,
 * the seed every random stream derives from, and the edit threshold. The single run and each
 * task of a sharded run build one and hand it to the same loop.
 */
export interface RunContext {
  config: PipelineConfig;
  prior: PriorModel;
  seed: number;
  /** Select tokens with P > threshold: the pipeline's p, or the one calibrated for the whole run. */
  threshold: number;
  /** Scores of the calibration pass, used once each by the editing pass and then freed. */
  scoreCache: Map<string, TokenScores>;
  /** Spans an earlier generation edited, by document id (edit.lockedFrom): never selected again. */
  locks?: LockedSpans;
}

/** How the pipeline's tokens enter its calibration: its edit strategy's mask and candidates, and the locked spans. */
export function calibrationRule(config: PipelineConfig, locks: LockedSpans | undefined): CalibrationRule {
  return { options: resampleOptions(config.edit, NaN), lockedOf: locks && ((id, tokens) => lockedMask(locks.get(id), tokens)) };
}

/** The threshold decision, the same for a single run and a sharded run's plan. */
export interface ThresholdDecision {
  threshold: number;
  calibration: Calibration | null;
}

/**
 * The edit threshold of a run: the absolute p, or one calibrated on the corpus (`calibrate`
 * runs only when the edit stage is on and its selection is calibrated).
 */
export async function decideThreshold(config: PipelineConfig, calibrate: () => Promise<Calibration>): Promise<ThresholdDecision> {
  const selection = config.edit.selection;
  if (selection.mode === 'absolute') return { threshold: selection.p, calibration: null };
  if (!config.edit.enabled) return { threshold: NaN, calibration: null };
  const calibration = await calibrate();
  return { threshold: calibration.p, calibration };
}
