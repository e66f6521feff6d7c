import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A test model of one family (test/fixtures/models, made by tools/model/families) and what it must show. */
export interface Family {
  name: string;
  folder: string;
  modelType: 'gpt2' | 'llama' | 'qwen2';
  /** The graph file the loader must pick. */
  graph: string;
  /** The start symbol fed before a document, and the tokens that end one. */
  bos: string;
  eos: string[];
  spelling: 'byte-level' | 'metaspace';
  /** Positions: learned (GPT-2) or rotary (Llama, Qwen2). */
  rotary: boolean;
  /** A position_ids input: without one (legacy GPT-2 exports) left padding shifts positions. */
  positionIds: boolean;
}

const MODELS = 'test/fixtures/models';

export const FAMILIES: Family[] = [
  { name: 'gpt2-merged', modelType: 'gpt2', graph: 'onnx/decoder_model_merged.onnx', bos: '<|endoftext|>', eos: ['<|endoftext|>'], spelling: 'byte-level', rotary: false, positionIds: false },
  { name: 'gpt2-single', modelType: 'gpt2', graph: 'onnx/model.onnx', bos: '<|endoftext|>', eos: ['<|endoftext|>'], spelling: 'byte-level', rotary: false, positionIds: true },
  { name: 'llama', modelType: 'llama', graph: 'onnx/decoder_model_merged.onnx', bos: '<s>', eos: ['</s>'], spelling: 'metaspace', rotary: true, positionIds: true },
  { name: 'qwen2', modelType: 'qwen2', graph: 'onnx/model.onnx', bos: '<|endoftext|>', eos: ['<|endoftext|>'], spelling: 'byte-level', rotary: true, positionIds: true },
].map((f) => ({ ...f, folder: join(MODELS, f.name) }) as Family);

/** PyTorch's log-probabilities for a fixture (reference.json, written by tools/model/families/reference_logprobs.py). */
export interface FamilyReference {
  documentStartId: number;
  context: number;
  stride: number;
  /** Short texts, each within one window. */
  texts: Array<{ name: string; text: string; ids: number[]; logProbs: number[] }>;
  /** Whole held-out documents, scored in windows as windows.ts plans them. */
  documents: Array<{ text?: string; ids: number[]; logProbs: number[] }>;
}

export async function readReference(family: Family): Promise<FamilyReference> {
  return JSON.parse(await readFile(join(family.folder, 'reference.json'), 'utf8')) as FamilyReference;
}

export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return a.length === b.length ? m : Infinity;
}
