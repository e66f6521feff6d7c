import { TailguardError } from '../errors.js';

/** The shortest reference segments (`segmentChars`): below about 20 tokens no feature separates anything. */
export const MIN_SEGMENT_CHARS = 100;

/**
 * Target documents shorter than this share of the reference segments are refused. The features
 * are means and shares over a document's tokens, calibrated on segments of one length: on text
 * far shorter they measure something else. A dozen-token human sentence, say, mostly has no
 * out-of-vocabulary word, which a 1,500-character human segment almost always has, so every such
 * sentence looks machine-made and the share comes out as 100% with a zero-width interval.
 * (Between a quarter and a half the report warns that the estimate is biased.)
 */
const MIN_LENGTH_RATIO = 0.25;

/**
 * Refuse (input error, exit 3) to estimate the synthetic share of documents far shorter than the
 * reference segments the detector is calibrated on, saying what length would work: segments of
 * the target's length, or, when even the shortest segments are too long for it, more text per
 * document.
 */
export function checkEnoughText(target: string, lengths: { target: number; reference: number }): void {
  if (!(lengths.target < MIN_LENGTH_RATIO * lengths.reference)) return;
  const head = `${target}: too little text per document to estimate a synthetic share: a median of ${lengths.target} characters, under a quarter of the ${lengths.reference}-character reference segments the detector would be calibrated on (its features, token shares and sums, are not comparable across such lengths)`;
  const shortest = Math.ceil(MIN_LENGTH_RATIO * MIN_SEGMENT_CHARS);
  if (lengths.target >= shortest) throw new TailguardError('input', `${head}; rerun with --segment-chars ${Math.max(MIN_SEGMENT_CHARS, Math.round(lengths.target))} (segments as long as the target's documents)`, { step: 'detect' });
  throw new TailguardError('input', `${head}; even the shortest segments (--segment-chars ${MIN_SEGMENT_CHARS}) need documents of at least ${shortest} characters: join short texts into longer documents`, { step: 'detect' });
}
