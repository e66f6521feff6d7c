/**
 * Forward FLOPs per token of a decoder-only transformer, and throughput extrapolated from a measured
 * one by that count. An extrapolation, not a measurement: it assumes a bigger model runs at the
 * FLOP rate the measured one did. Bigger matrix products usually run closer to the CPU's peak (so
 * the figure may be low), while weights beyond the caches and the memory (an 8B model is 32 GB in
 * fp32) make it high; the docs say so next to the figures.
 */
export interface Shape {
  layers: number;
  width: number;
  /** Width of the MLP's hidden layer. */
  ffn: number;
  vocab: number;
  heads: number;
  /** Key/value heads (fewer than heads with grouped-query attention). */
  kvHeads: number;
  /** SwiGLU (Llama, Qwen2, SmolLM): three MLP matrices instead of two. */
  gated: boolean;
}

/**
 * 2 FLOPs per multiply-add: per layer the q, k, v, o projections (k and v only kvHeads wide), the
 * MLP, and attention over `attended` earlier positions (scores and weighted sum); then the LM head.
 * Norms, activations and softmax are left out (a few percent at these widths).
 */
export function forwardFlopsPerToken(s: Shape, attended: number): number {
  const kvWidth = s.kvHeads * (s.width / s.heads);
  const projections = 2 * s.width * s.width + 2 * s.width * kvWidth;
  const mlp = (s.gated ? 3 : 2) * s.width * s.ffn;
  const attention = 2 * attended * s.width;
  return 2 * (s.layers * (projections + mlp + attention) + s.width * s.vocab);
}

/** Shapes from each model's config.json on the Hugging Face hub (hidden_size, num_hidden_layers, ...). */
export const KNOWN_MODELS: Record<string, Shape> = {
  'gpt2 (124M)': { layers: 12, width: 768, ffn: 3072, vocab: 50257, heads: 12, kvHeads: 12, gated: false },
  'SmolLM2-135M': { layers: 30, width: 576, ffn: 1536, vocab: 49152, heads: 9, kvHeads: 3, gated: true },
  'SmolLM2-360M': { layers: 32, width: 960, ffn: 2560, vocab: 49152, heads: 15, kvHeads: 5, gated: true },
  'Qwen2.5-0.5B': { layers: 24, width: 896, ffn: 4864, vocab: 151936, heads: 14, kvHeads: 2, gated: true },
  'TinyLlama-1.1B': { layers: 22, width: 2048, ffn: 5632, vocab: 32000, heads: 32, kvHeads: 4, gated: true },
  'Llama-3.2-1B': { layers: 16, width: 2048, ffn: 8192, vocab: 128256, heads: 32, kvHeads: 8, gated: true },
  'Llama-3-8B': { layers: 32, width: 4096, ffn: 14336, vocab: 128256, heads: 32, kvHeads: 8, gated: true },
};

/** Tokens per second each known model would reach at the measured FLOP rate. */
export function extrapolate(measuredTokensPerSecond: number, measuredFlopsPerToken: number, attended: number) {
  const flopRate = measuredTokensPerSecond * measuredFlopsPerToken;
  return Object.entries(KNOWN_MODELS).map(([model, shape]) => {
    const flopsPerToken = forwardFlopsPerToken(shape, attended);
    return { model, flopsPerToken, tokensPerSecond: flopRate / flopsPerToken };
  });
}
