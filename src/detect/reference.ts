import { documentsOf } from '../corpus/read.js';
import type { CorpusSpec } from '../corpus/spec.js';
import { generateContinuations, type SyntheticOptions } from '../generate/continue.js';
import type { PriorModel } from '../prior/types.js';
import { rngFor } from '../random.js';
import { segmentText, splitDocuments, type Segment } from './segments.js';

/** Which part of the reference a text belongs to: what chooses the detector, or what checks it. */
export type Part = 'calibration' | 'heldout';

export interface ReferenceText extends Segment {
  part: Part;
}

/** Segments of a corpus's documents, each labelled with its document's part. */
export async function referenceSegments(spec: CorpusSpec, o: { segmentChars: number; segmentsPerDocument: number; calibrationShare: number; seed: number; stage: string }): Promise<ReferenceText[]> {
  const segments: Segment[] = [];
  for await (const doc of documentsOf(spec)) segments.push(...segmentText(doc.id, doc.text, o.segmentChars, o.segmentsPerDocument));
  const { calibration } = splitDocuments(
    segments.map((s) => s.docId),
    o.calibrationShare,
    rngFor(o.seed, o.stage, 'split').next() * 2 ** 32,
  );
  return segments.map((s) => ({ ...s, part: calibration.has(s.docId) ? 'calibration' : 'heldout' }));
}

/**
 * Machine-made counterparts of human segments: each keeps its first tokens as the prompt and the
 * generator continues it to the segment's length, with a random stream per segment id (so the
 * batch size does not matter). A continuation stays in its prompt's part.
 */
export async function generateCounterparts(generator: PriorModel, human: readonly ReferenceText[], options: SyntheticOptions & { seed: number; batchSize: number }, onBatch?: (done: number) => void): Promise<ReferenceText[]> {
  const out: ReferenceText[] = [];
  for (let at = 0; at < human.length; at += options.batchSize) {
    const batch = human.slice(at, at + options.batchSize);
    const made = await generateContinuations(
      generator,
      batch.map((s) => ({ text: s.text, tokens: generator.tokenize(s.text), rng: rngFor(options.seed, 'detect-synthetic', s.id) })),
      options,
    );
    batch.forEach((s, i) => out.push({ id: `synthetic:${s.id}`, docId: s.docId, text: made[i].text, part: s.part }));
    onBatch?.(out.length);
  }
  return out;
}
