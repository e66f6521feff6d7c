/**
 * Tailguard's public API. The CLI is a thin shell over these; library users import them from
 * 'tailguard'.
 */
export { TailguardError, type ErrorCode } from './errors.js';
export type { Document, Reject, ReadItem } from './corpus/document.js';
export { readCorpus, documentsOf, describeCorpus, checkCorpus, type CorpusSpec } from './corpus/read.js';
export { listCorpusFiles, type CorpusFile } from './corpus/file-list.js';
export { formatFromPath, FILE_FORMATS, type FileFormat } from './corpus/formats.js';
export { openRecordWriter, type RecordWriter } from './corpus/corpus-writer.js';
export { OUTPUT_FORMATS, outputNames, type OutputFormat, type OutputLayout } from './corpus/output-format.js';
export { readBrown, brownFiles, brownText, type BrownSplit } from './corpus/brown.js';
export { wordSpans, words } from './corpus/words.js';
export type { PriorModel, ScoreOptions, TokenizedText, TokenScores, TokenDistribution, SamplingOptions, DecodingSession, PriorIdentity } from './prior/types.js';
export { NGramPrior, type NGramTrainOptions } from './prior/ngram/prior.js';
export { TransformersPrior, type TransformersPriorOptions } from './prior/transformers/index.js';
export { sampleDense } from './prior/sampling.js';
export { resampleDocument, isSelectable, type ResampleOptions, type TokenEdit, type EditCounts } from './edit/resample.js';
export { applyEdits, type AppliedEdit } from './edit/apply.js';
export { calibrateThreshold, type Calibration, type Selection } from './edit/threshold.js';
export { generateContinuations, type SyntheticOptions, type Continuation } from './generate/continue.js';
export { CorpusStats, type CorpusStatsJSON } from './audit/corpus-stats.js';
export { viewMetrics, type ViewMetrics } from './audit/metrics.js';
export { compareViews, jensenShannon, wasserstein1, kolmogorovSmirnov, type Comparison } from './audit/compare.js';
export { evaluateGate, GATE_CHECKS, type GateResult } from './audit/gate.js';
export { buildReport, type AuditReport } from './audit/report.js';
export { loadPipeline, parsePipeline, pipelineSchema, type PipelineConfig, type PipelineInput } from './pipeline/config.js';
export { runPipeline, type RunOptions, type RunResult } from './pipeline/run.js';
export { auditCorpora, type AuditCorporaOptions } from './pipeline/audit-corpora.js';
export { runLocal, type LocalRunOptions } from './pipeline/shards/local.js';
export { runOneTask, type OneTaskOptions } from './pipeline/shards/one-task.js';
export { mergeShards } from './pipeline/shards/merge.js';
export { splitCorpus } from './corpus/shards.js';
export { rngFor, createRng, type Rng } from './random.js';
export { loadSimulation, parseSimulation, simulationSchema, type SimulationConfig, type SimulationInput, type RegimeConfig } from './simulate/config.js';
export { runSimulation, type SimulateOptions, type SimulationResults } from './simulate/run.js';
export { runRepeat, type RepeatResult } from './simulate/repeat.js';
export { METRICS as SIMULATION_METRICS, type MetricName } from './simulate/metrics.js';
export { runDetect, DETECT_FILES, type DetectOptions, type DetectResult } from './detect/run.js';
export { parseDetect, detectSchema, type DetectConfig, type DetectInput } from './detect/config.js';
export { FEATURES as DETECT_FEATURES, documentFeatures, type FeatureName, type Features } from './detect/features.js';
export { scoreFeatures, type DetectPriors } from './detect/score.js';
export { calibrateDetector, detectorScore, type Detector, type FeatureQuality } from './detect/calibrate.js';
export { estimateContamination, type Contamination, type ReferenceScores } from './detect/estimate.js';
export { estimateMixture, type ShareEstimate } from './detect/mixture.js';
export { auroc } from './detect/auroc.js';
export { segmentText, splitDocuments } from './detect/segments.js';
export { generateCounterparts, referenceSegments } from './detect/reference.js';
export type { DetectReport } from './detect/report.js';
