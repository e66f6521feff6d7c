import { TailguardError } from '../../errors.js';

/** The control tokens a family uses around a document. */
export interface DocumentTokens {
  /** Fed before a document, so its first token is scored: `<s>` (Llama), `<|endoftext|>` (GPT-2, Qwen2). */
  bosId: number;
  /** Tokens that end a document (`</s>`, `<|endoftext|>`, Llama 3's `<|eot_id|>`...): never written into text. */
  eosIds: number[];
  /** Every control token: the BOS, the EOS ids and the tokenizer's special tokens. */
  special: Set<number>;
}

function ids(value: unknown): number[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0);
}

/** A token named in tokenizer_config.json: a string, or an AddedToken object with `content`. */
function named(value: unknown, toId: ReadonlyMap<string, number>): number[] {
  const content = typeof value === 'string' ? value : (value as { content?: unknown } | null)?.content;
  const id = typeof content === 'string' ? toId.get(content) : undefined;
  return id === undefined ? [] : [id];
}

/**
 * BOS and EOS as the family's own files give them. The BOS is config.json's bos_token_id (GPT-2
 * 50256 `<|endoftext|>`, Llama 1 `<s>`, Qwen2 151643 `<|endoftext|>`, which Qwen2 pretraining puts
 * between documents although its tokenizer adds no BOS), else tokenizer_config.json's bos_token,
 * else the first EOS: a model scores a document's first token only after some start symbol, and
 * these are the ones it was trained with. The EOS ids are the union of config.json's and
 * generation_config.json's eos_token_id (a number or a list) and tokenizer_config.json's eos_token.
 */
export function documentTokens(
  config: Record<string, unknown>,
  generationConfig: Record<string, unknown> | null,
  tokenizerConfig: Record<string, unknown>,
  toId: ReadonlyMap<string, number>,
  specialIds: readonly number[],
  vocabSize: number,
  file: string,
): DocumentTokens {
  const inVocab = (id: number) => id < vocabSize;
  const eosIds = [...new Set([...ids(config.eos_token_id), ...ids(generationConfig?.eos_token_id), ...named(tokenizerConfig.eos_token, toId)])].filter(inVocab);
  const bos = [...ids(config.bos_token_id), ...named(tokenizerConfig.bos_token, toId), ...eosIds, ...named('<|endoftext|>', toId)].filter(inVocab);
  if (bos.length === 0) {
    throw new TailguardError('model', `"${file}" names no start token: config.json needs bos_token_id or eos_token_id (or tokenizer_config.json a bos_token)`, { file });
  }
  return { bosId: bos[0], eosIds, special: new Set([bos[0], ...eosIds, ...specialIds.filter(inVocab)]) };
}
