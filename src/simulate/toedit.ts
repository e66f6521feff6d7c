import { calibrateOnCorpus } from '../edit/calibrate.js';
import { type CalibratedSelection, resampleOptions } from '../edit/config.js';
import { type EditingPrior, type TokenEdit, resampleDocument } from '../edit/resample.js';
import type { KneserNeyModel } from '../prior/ngram/kneser-ney.js';
import { UNK, type Vocabulary } from '../prior/ngram/vocabulary.js';
import { emptyScores } from '../prior/scores.js';
import type { TokenizedText } from '../prior/types.js';
import { type Rng, rngFor } from '../random.js';
import type { RegimeConfig } from './config.js';
import type { Corpus, Doc } from './data.js';
import { KneserNeyIdModel } from '../prior/ngram/id-model.js';
import { type RegimeRun, type SimContext, evaluate, firstModel, train } from './step.js';

type ToEdit = Extract<RegimeConfig, { type: 'toedit' }>;

/** The edited corpus and its provenance mask: locked[j][i] = 1 once position i of document j was selected. */
export interface EditState {
  docs: Doc[];
  locked: Uint8Array[];
}

export interface EditPassOptions {
  threshold: number;
  topK: number;
  beta: number;
  excludeOriginal: boolean;
}

/**
 * Cross-fitted priors (BRIEF §3.9): a model scoring its own training text finds it too
 * predictable, so the corpus is split in two folds by document and each fold is edited by the
 * model of the other. priors[f] is trained on the documents j with j % 2 === f.
 */
export function crossFitPriors(corpus: Corpus, order: number, vocab: Vocabulary): KneserNeyModel[] {
  return [0, 1].map((f) => new KneserNeyIdModel(corpus.filter((_, j) => j % 2 === f), order, vocab).model);
}

const priorOf = (priors: KneserNeyModel[], j: number) => priors[1 - (j % 2)];

/** log P of every token of every document under its cross-fitted prior. */
export function editLogProbs(priors: KneserNeyModel[], docs: Corpus): Float32Array[] {
  return docs.map((doc, j) => {
    const prior = priorOf(priors, j);
    return Float32Array.from(doc, (x, i) => Math.log(prior.probOf(doc, i, x)));
  });
}

/**
 * The threshold that selects `targetShare` of all tokens, counting tokens editing may not select
 * (position 0, `<unk>`, locked positions) as the pipeline's calibration does.
 */
export function calibrateOn(state: EditState, logProbs: Float32Array[], selection: Pick<CalibratedSelection, 'targetShare' | 'maxTokens'>, vocab: Vocabulary): number {
  const docs = state.docs.map((doc, j) => ({ ...spaced(doc, vocab), logProb: logProbs[j] }));
  const ids = new Map(state.locked.map((locked, j) => [String(j), locked]));
  // Id space holds no digits or words to protect: the simulator's strategy has no protect setting.
  const options = { ...resampleOptions({ topK: 8, beta: 1.5, excludeOriginal: false }, NaN), protectPatterns: [] };
  return calibrateOnCorpus(idPrior(vocab), docs.map((d, j) => ({ ...d, id: String(j) })), { mode: 'calibrated', ...selection }, { options, lockedOf: (id) => ids.get(id) });
}

/**
 * One generation of ToEdit over the corpus: select tokens with P > threshold that no earlier
 * generation selected, redraw them with `resampleDocument` (the pipeline's own strategy), and
 * lock every selected position.
 */
export function editPass(
  state: EditState,
  priors: KneserNeyModel[],
  logProbs: Float32Array[],
  options: EditPassOptions,
  vocab: Vocabulary,
  rngOf: (j: number) => Rng,
): { state: EditState; edits: TokenEdit[][]; selected: number; changed: number; tokens: number } {
  const prior = idPrior(vocab);
  const next: EditState = { docs: [], locked: [] };
  const edits: TokenEdit[][] = [];
  let selected = 0;
  let changed = 0;
  let tokens = 0;
  state.docs.forEach((doc, j) => {
    const { text, tokens: spans } = spaced(doc, vocab);
    const scores = emptyScores(doc.length, options.topK);
    scores.logProb.set(logProbs[j]);
    scores.topIds.fill(-1);
    // Candidates only where selection is possible; the margin keeps a position whose score
    // rounds differently from `probOf` from being selected without candidates.
    for (let i = 1; i < doc.length; i++) {
      if (Math.exp(logProbs[j][i]) > options.threshold * (1 - 1e-6) && !state.locked[j][i]) priorOf(priors, j).scorePosition(doc, i, options.topK, scores);
    }
    const locked = state.locked[j];
    // Id space holds no text to protect (see calibrateOn).
    const result = resampleDocument(text, spans, scores, prior, { ...resampleOptions(options, options.threshold), locked, protectPatterns: [] }, rngOf(j));
    const ids = Int32Array.from(doc);
    const nextLocked = Uint8Array.from(locked);
    for (const e of result.edits) {
      nextLocked[e.position] = 1;
      if (e.changed) ids[e.position] = e.replacementId;
    }
    next.docs.push(ids);
    next.locked.push(nextLocked);
    edits.push(result.edits);
    selected += result.counts.selected;
    changed += result.counts.changed;
    tokens += doc.length;
  });
  return { state: next, edits, selected, changed, tokens };
}

/**
 * Iterated ToEdit: generation g edits generation g - 1's text. The prior is retrained on that
 * text or fixed at the real set's; a calibrated threshold is kept from the first pass or
 * recalibrated; the provenance mask locks selected positions or is off (then only the edits
 * carry over, and a position may be selected again).
 */
export function runToEdit(ctx: SimContext, r: ToEdit, name: string): RegimeRun {
  const { vocab } = ctx.data;
  const first = firstModel(ctx, r.model);
  const steps = [{ x: 0, metrics: first.metrics }];
  const unlocked = ctx.data.real.map((d) => new Uint8Array(d.length));
  let state: EditState = { docs: ctx.data.real.map((d) => Int32Array.from(d)), locked: unlocked };
  const fixedPriors = r.prior === 'fixed' ? crossFitPriors(state.docs, r.model.order, vocab) : undefined;
  let threshold: number | undefined;
  for (let g = 1; g <= ctx.config.generations; g++) {
    const priors = fixedPriors ?? crossFitPriors(state.docs, r.model.order, vocab);
    const logProbs = editLogProbs(priors, state.docs);
    if (threshold === undefined || r.threshold === 'recalibrated') threshold = r.selection.mode === 'absolute' ? r.selection.p : calibrateOn(state, logProbs, r.selection, vocab);
    const pass = editPass(state, priors, logProbs, { threshold, topK: r.topK, beta: r.beta, excludeOriginal: r.excludeOriginal }, vocab, (j) => rngFor(ctx.seed, `${name}/gen${g}`, `doc${j}`));
    state = r.mask ? pass.state : { docs: pass.state.docs, locked: unlocked };
    const model = train(ctx, r.model, state.docs);
    steps.push({ x: g, metrics: evaluate(ctx, model, state.docs, { selected: pass.selected / pass.tokens, changed: pass.changed / pass.tokens, threshold }) });
  }
  return { name, type: r.type, axis: 'generation', curves: [{ label: name, steps }] };
}

/** A document of ids as text (words joined by single spaces) with each word's span. */
function spaced(doc: Doc, vocab: Vocabulary): { text: string; tokens: TokenizedText } {
  const starts = new Int32Array(doc.length);
  const ends = new Int32Array(doc.length);
  let at = 0;
  doc.forEach((id, i) => {
    starts[i] = at;
    at += vocab.form(id).length;
    ends[i] = at++;
  });
  return { text: Array.from(doc, (id) => vocab.form(id)).join(' '), tokens: { ids: doc, starts, ends } };
}

/** Editing in id space: a replacement is the new word in the old word's span. */
function idPrior(vocab: Vocabulary): EditingPrior {
  return {
    isEmittable: (id) => id > UNK && id < vocab.size,
    tokenText: (id) => vocab.form(id),
    replacementSpan: (_text, tokens, i, id) => ({ start: tokens.starts[i], end: tokens.ends[i], text: vocab.form(id) }),
  };
}
