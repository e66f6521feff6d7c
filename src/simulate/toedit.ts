import { calibrateOnCorpus } from '../edit/calibrate.js';
import { TailguardError } from '../errors.js';
import { type CalibratedSelection, type EditStrategy, resampleOptions } from '../edit/config.js';
import { type TokenEdit, resampleDocument } from '../edit/resample.js';
import { lookaheadOf, resampleDocumentTwoSided, twoSidedChangedShare } from '../edit/two-sided.js';
import type { KneserNeyModel } from '../prior/ngram/kneser-ney.js';
import type { Vocabulary } from '../prior/ngram/vocabulary.js';
import type { TokenScores } from '../prior/types.js';
import { type Rng, rngFor } from '../random.js';
import type { RegimeConfig } from './config.js';
import type { Corpus, Doc } from './data.js';
import { KneserNeyIdModel } from '../prior/ngram/id-model.js';
import { candidateScores, idPrior, spaced, twoSidedIdPrior } from './id-prior.js';
import { type RegimeRun, type SimContext, evaluate, firstModel, train } from './step.js';

type ToEdit = Extract<RegimeConfig, { type: 'toedit' }>;

/** The edited corpus and its provenance mask: locked[j][i] = 1 once position i of document j was selected. */
export interface EditState {
  docs: Doc[];
  locked: Uint8Array[];
}

/** How a generation edits: ToEdit's draw (left context) or the two-sided one, over the prior's top k tempered by beta. */
export type EditStrategyOptions = Pick<EditStrategy, 'topK' | 'beta' | 'excludeOriginal' | 'context'>;

export interface EditPassOptions extends EditStrategyOptions {
  threshold: number;
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
 * Each document's scores for editing under its cross-fitted prior: candidates wherever P > `above`
 * and the mask leaves the position open (`above` = -1: at every open position, which a
 * changed-share calibration weighs). The margin keeps a position whose score rounds differently
 * from `probOf` from being selected without candidates.
 */
export function editScores(priors: KneserNeyModel[], state: EditState, logProbs: Float32Array[], topK: number, above: number): TokenScores[] {
  return state.docs.map((doc, j) => candidateScores(priorOf(priors, j), doc, logProbs[j], topK, (i) => Math.exp(logProbs[j][i]) > above * (1 - 1e-6) && !state.locked[j][i]));
}

/**
 * The threshold of a calibrated selection on the corpus as it is, with src/edit's calibrations:
 * the p that selects `targetShare` of all tokens, or (changed-share) the p at which the expected
 * changes reach it, each token weighing its chance of changing under the strategy's own draw
 * (two-sided weights for a two-sided strategy, exact under each document's prior). Tokens
 * editing may not select (position 0, `<unk>`, locked positions) count as the pipeline counts
 * them. A changed-share selection needs `scores` with candidates at every open position.
 */
export async function calibrateOn(
  state: EditState,
  logProbs: Float32Array[],
  selection: CalibratedSelection,
  vocab: Vocabulary,
  strategy: EditStrategyOptions,
  priors: KneserNeyModel[],
  scores?: TokenScores[],
): Promise<number> {
  // Id space holds no digits or words to protect: the simulator's strategy has no protect setting.
  const options = { ...resampleOptions(strategy, NaN), protectPatterns: [] };
  const docs = state.docs.map((doc, j) => ({ ...spaced(doc, vocab), logProb: logProbs[j], scores: scores?.[j], id: String(j) }));
  if (selection.mode === 'changed-share' && strategy.context === 'two-sided') {
    if (!scores) throw new TailguardError('internal', 'a changed-share calibration needs the candidates of every token');
    const corpus = docs.map((d, j) => ({ doc: d, tokens: d.tokens, scores: scores[j], locked: state.locked[j], prior: twoSidedIdPrior(priorOf(priors, j), vocab) }));
    const prior = twoSidedIdPrior(priors[0], vocab);
    return twoSidedChangedShare(corpus, prior, options, lookaheadOf(prior, null), selection.targetShare);
  }
  return calibrateOnCorpus(idPrior(vocab), docs, selection, { options, lockedOf: (id) => state.locked[Number(id)] });
}

/**
 * One generation of ToEdit over the corpus: select open tokens with P > threshold, redraw them
 * with src/edit's own draw (`resampleDocument`, or `resampleDocumentTwoSided` under the
 * document's prior), and lock every selected position.
 */
export async function editPass(
  state: EditState,
  priors: KneserNeyModel[],
  scores: TokenScores[],
  options: EditPassOptions,
  vocab: Vocabulary,
  rngOf: (j: number) => Rng,
): Promise<{ state: EditState; edits: TokenEdit[][]; selected: number; changed: number; tokens: number }> {
  const prior = idPrior(vocab);
  const next: EditState = { docs: [], locked: [] };
  const edits: TokenEdit[][] = [];
  let selected = 0;
  let changed = 0;
  let tokens = 0;
  for (const [j, doc] of state.docs.entries()) {
    const { text, tokens: spans } = spaced(doc, vocab);
    const locked = state.locked[j];
    // Id space holds no text to protect (see calibrateOn).
    const resample = { ...resampleOptions(options, options.threshold), locked, protectPatterns: [] };
    const twoSided = options.context === 'two-sided' ? twoSidedIdPrior(priorOf(priors, j), vocab) : undefined;
    const result = twoSided
      ? await resampleDocumentTwoSided(text, spans, scores[j], twoSided, resample, lookaheadOf(twoSided, null), rngOf(j))
      : resampleDocument(text, spans, scores[j], prior, resample, rngOf(j));
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
  }
  return { state: next, edits, selected, changed, tokens };
}

/**
 * Iterated ToEdit: generation g edits generation g - 1's text. The prior is retrained on that
 * text or fixed at the real set's; a calibrated threshold (a share selected or changed) is kept
 * from the first pass or recalibrated; the provenance mask locks selected positions or is off
 * (then only the edits carry over, and a position may be selected again); the draw is ToEdit's
 * or two-sided.
 */
export async function runToEdit(ctx: SimContext, r: ToEdit, name: string): Promise<RegimeRun> {
  const { vocab } = ctx.data;
  const first = firstModel(ctx, r.model);
  const steps = [{ x: 0, metrics: first.metrics }];
  const unlocked = ctx.data.real.map((d) => new Uint8Array(d.length));
  let state: EditState = { docs: ctx.data.real.map((d) => Int32Array.from(d)), locked: unlocked };
  const fixedPriors = r.prior === 'fixed' ? crossFitPriors(state.docs, r.model.order, vocab) : undefined;
  const strategy = { topK: r.topK, beta: r.beta, excludeOriginal: r.excludeOriginal, context: r.context };
  let threshold: number | undefined;
  for (let g = 1; g <= ctx.config.generations; g++) {
    const priors = fixedPriors ?? crossFitPriors(state.docs, r.model.order, vocab);
    const logProbs = editLogProbs(priors, state.docs);
    const calibrating = r.selection.mode !== 'absolute' && (threshold === undefined || r.threshold === 'recalibrated');
    // A changed-share calibration weighs every open position's candidates: score them all once, for the edit too.
    let scores = calibrating && r.selection.mode === 'changed-share' ? editScores(priors, state, logProbs, r.topK, -1) : undefined;
    if (r.selection.mode === 'absolute') threshold = r.selection.p;
    else if (calibrating) threshold = await calibrateOn(state, logProbs, r.selection, vocab, strategy, priors, scores);
    scores ??= editScores(priors, state, logProbs, r.topK, threshold!);
    const pass = await editPass(state, priors, scores, { ...strategy, threshold: threshold! }, vocab, (j) => rngFor(ctx.seed, `${name}/gen${g}`, `doc${j}`));
    state = r.mask ? pass.state : { docs: pass.state.docs, locked: unlocked };
    const model = train(ctx, r.model, state.docs);
    steps.push({ x: g, metrics: evaluate(ctx, model, state.docs, { selected: pass.selected / pass.tokens, changed: pass.changed / pass.tokens, threshold }) });
  }
  return { name, type: r.type, axis: 'generation', curves: [{ label: name, steps }] };
}
