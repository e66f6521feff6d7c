/** The transformers.js (ONNX) prior: a small causal LM scored and sampled in Node, offline. */
export { TransformersPrior } from './prior.js';
export type { TransformersPriorOptions } from './load.js';
export { planWindows, type ScoringWindow } from './windows.js';
