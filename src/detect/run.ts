import { join } from 'node:path';
import { describeCorpus, inputPaths, readCorpus } from '../corpus/read.js';
import { spoolInputs } from '../corpus/spool.js';
import type { CorpusSpec } from '../corpus/spec.js';
import type { Reject } from '../corpus/document.js';
import { openPrior } from '../prior/open.js';
import { RUN_FILES, prepareRunFolder, writeFileAtomic, writeJsonAtomic } from '../run-io/run-folder.js';
import { versions } from '../run-io/versions.js';
import { rngFor } from '../random.js';
import { calibrateDetector, detectorScore, type Detector } from './detector.js';
import type { DetectConfig } from './config.js';
import { estimateContamination, type Contamination, type ReferenceScores } from './estimate.js';
import type { Features } from './features.js';
import { generateCounterparts, referenceSegments, type ReferenceText } from './reference.js';
import { buildDetectReport, type DetectReport } from './report.js';
import { detectHtml } from './report-html.js';
import { checkEnoughText } from './enough-text.js';
import { detectMarkdown } from './report-markdown.js';
import { scoreFeatures, type DetectPriors } from './score.js';

/** Files `tailguard detect` writes, then `manifest.json` (which marks it finished). */
export const DETECT_FILES = {
  detections: 'detections.jsonl',
  reference: 'reference.jsonl',
  synthetic: 'synthetic.jsonl',
  rejects: 'rejects.jsonl',
  report: 'report.json',
  markdown: 'report.md',
  html: 'report.html',
} as const;

export interface DetectOptions {
  target: CorpusSpec;
  out: string;
  force?: boolean;
  log?: (message: string) => void;
  /** Priors already open (tests share them); otherwise opened from the config and closed after. */
  priors?: DetectPriors;
}

export interface DetectResult {
  dir: string;
  detector: Detector;
  contamination: Contamination;
  report: DetectReport;
}

/**
 * `tailguard detect` as a library call: calibrate on the reference (and synthetic text, given or
 * generated), score the target, estimate its synthetic share, write the run folder.
 */
export async function runDetect(config: DetectConfig, o: DetectOptions): Promise<DetectResult> {
  const log = o.log ?? (() => {});
  const started = Date.now();
  await prepareRunFolder(o.out, { force: o.force ?? false, inputs: inputPaths([config.reference, config.synthetic, o.target]) });
  const release = await spoolInputs([config.reference, ...(config.synthetic ? [config.synthetic] : []), o.target], log);
  const priors = await (o.priors ? Promise.resolve(o.priors) : openPriors(config, log)).catch(async (e: unknown) => {
    await release();
    throw e;
  });
  try {
    const segmenting = { segmentChars: config.segmentChars, segmentsPerDocument: config.segmentsPerDocument, calibrationShare: config.calibrationShare, seed: config.seed };
    const human = await referenceSegments(config.reference, { ...segmenting, stage: 'detect-split' });
    log(`reference ${describeCorpus(config.reference)}: ${human.length} segments of ~${config.segmentChars} characters (${human.filter((s) => s.part === 'calibration').length} calibrate, the rest held out)`);
    // The target first: a target too short to estimate anything is refused before the costly generation.
    const target = await scoreTarget(o.target, priors, config.batchSize);
    log(`target ${describeCorpus(o.target)}: ${target.ids.length} documents scored, ${target.rejects.length} rejected`);
    const lengths = { reference: median(human.map((s) => s.text.length)), target: median(target.lengths) };
    checkEnoughText(describeCorpus(o.target), lengths);
    const synthetic = await syntheticTexts(config, priors, human, segmenting, log);
    const humanFeatures = await scoreFeatures(priors, human.map((s) => s.text), config.batchSize);
    const syntheticFeatures = await scoreFeatures(priors, synthetic.map((s) => s.text), config.batchSize);
    const part = (texts: readonly ReferenceText[], features: Features[], p: string) => features.filter((_, i) => texts[i].part === p);
    const detector = calibrateDetector(
      { human: part(human, humanFeatures, 'calibration'), synthetic: part(synthetic, syntheticFeatures, 'calibration') },
      { human: part(human, humanFeatures, 'heldout'), synthetic: part(synthetic, syntheticFeatures, 'heldout') },
      config.fpr,
    );
    log(`detector: ${detector.feature} ${detector.direction > 0 ? '>' : '<'} ${(detector.direction * detector.threshold).toPrecision(4)}; held-out FPR ${pct(detector.heldout.fpr)} (target ${pct(config.fpr)}), TPR ${pct(detector.heldout.tpr)}`);

    const score = (features: Features[]) => features.map((f) => detectorScore(detector, f));
    const reference: ReferenceScores = {
      human: score(humanFeatures),
      synthetic: score(syntheticFeatures),
      heldoutHuman: score(part(human, humanFeatures, 'heldout')),
      heldoutSynthetic: score(part(synthetic, syntheticFeatures, 'heldout')),
    };
    const contamination = estimateContamination(detector, reference, target.features, { rounds: config.bootstrap, level: config.level, rng: rngFor(config.seed, 'detect-bootstrap', 'target') });
    const report = buildDetectReport({
      config,
      target: describeCorpus(o.target),
      priors: Object.fromEntries(Object.entries(priors).map(([role, p]) => [role, p.identity])),
      detector,
      contamination,
      reference,
      lengths,
      rejected: target.rejects.length,
      seconds: (Date.now() - started) / 1000,
    });

    const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
    await writeFileAtomic(
      join(o.out, DETECT_FILES.detections),
      jsonl(
        target.ids.map((id, i) => {
          const { score, synthetic: flagged, posterior } = contamination.perDocument[i];
          return { id, meta: target.meta[i], label: flagged ? 'synthetic' : 'human', score, posterior, features: target.features[i] };
        }),
      ),
    );
    const refRow = (kind: string) => (s: ReferenceText, i: number, all: Features[]) => ({ id: s.id, kind, part: s.part, score: detectorScore(detector, all[i]), features: all[i] });
    await writeFileAtomic(join(o.out, DETECT_FILES.reference), jsonl([...human.map((s, i) => refRow('human')(s, i, humanFeatures)), ...synthetic.map((s, i) => refRow('synthetic')(s, i, syntheticFeatures))]));
    await writeFileAtomic(join(o.out, DETECT_FILES.synthetic), jsonl(synthetic.map((s) => ({ id: s.id, text: s.text, part: s.part }))));
    await writeFileAtomic(join(o.out, DETECT_FILES.rejects), jsonl(target.rejects));
    const markdown = detectMarkdown(report);
    await writeJsonAtomic(join(o.out, DETECT_FILES.report), report);
    await writeFileAtomic(join(o.out, DETECT_FILES.markdown), markdown);
    await writeFileAtomic(join(o.out, DETECT_FILES.html), detectHtml(report, markdown));
    // Last: it marks the detection finished (prepareRunFolder refuses to overwrite it without --force).
    await writeJsonAtomic(join(o.out, RUN_FILES.manifest), { command: 'detect', target: describeCorpus(o.target), versions: versions(), files: Object.values(DETECT_FILES) });
    return { dir: o.out, detector, contamination, report };
  } finally {
    if (!o.priors) for (const p of Object.values(priors)) await p.dispose();
    await release();
  }
}

async function openPriors(config: DetectConfig, log: (m: string) => void): Promise<DetectPriors> {
  const priors: DetectPriors = {};
  if (config.priors.neural) priors.neural = await openPrior(config.priors.neural, log);
  if (config.priors.ngram) priors.ngram = await openPrior(config.priors.ngram, log);
  return priors;
}

/** The synthetic side of calibration: the user's machine text, or the generator's continuations of the reference. */
async function syntheticTexts(
  config: DetectConfig,
  priors: DetectPriors,
  human: readonly ReferenceText[],
  segmenting: { segmentChars: number; segmentsPerDocument: number; calibrationShare: number; seed: number },
  log: (m: string) => void,
): Promise<ReferenceText[]> {
  if (config.synthetic) {
    const given = await referenceSegments(config.synthetic, { ...segmenting, stage: 'detect-split-synthetic' });
    log(`synthetic ${describeCorpus(config.synthetic)}: ${given.length} segments`);
    return given;
  }
  const role = config.generator ?? (priors.neural ? 'neural' : 'ngram');
  const started = Date.now();
  // Counterparts of segments cut from mid-document, not of documents: they keep their segment's
  // size (an end-of-document token has no meaning there, and the features compare like with like).
  const made = await generateCounterparts(priors[role]!, human, { ...config.generation, stopAtEnd: false, seed: config.seed, batchSize: 16 });
  log(`generated ${made.length} synthetic counterparts with the ${role} prior (top-p ${config.generation.topP}, temperature ${config.generation.temperature}) in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return made;
}

/** Features of every target document, with ids, meta and lengths kept; rejects counted. */
async function scoreTarget(spec: CorpusSpec, priors: DetectPriors, batchSize: number) {
  const ids: string[] = [];
  const meta: Record<string, unknown>[] = [];
  const lengths: number[] = [];
  const features: Features[] = [];
  const rejects: Reject[] = [];
  let pending: { id: string; meta: Record<string, unknown>; text: string }[] = [];
  const flush = async () => {
    features.push(...(await scoreFeatures(priors, pending.map((d) => d.text), batchSize)));
    pending = [];
  };
  for await (const item of readCorpus(spec)) {
    if (!item.ok) {
      rejects.push(item.reject);
      continue;
    }
    ids.push(item.doc.id);
    meta.push(item.doc.meta);
    lengths.push(item.doc.text.length);
    pending.push(item.doc);
    if (pending.length >= batchSize) await flush();
  }
  await flush();
  return { ids, meta, lengths, features, rejects };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
