import { AutoModelForCausalLM, Tensor } from '@xenova/transformers';
import type { OpenedGraph } from './model.js';

/** What transformers.js v2 hands back from AutoModelForCausalLM: its onnxruntime session and dispose. */
interface XenovaModel {
  session: OpenedGraph['session'];
  generation_config?: Record<string, unknown> | null;
  dispose(): Promise<unknown>;
}

/**
 * The default backend: @xenova/transformers (onnxruntime-node 1.14, CPU) finds and opens the graph
 * (`model_file_name` picks the layout); SessionCausalLM feeds its session with the library's Tensor.
 * Runs with transformers.js's env set for the load (load.ts).
 */
export async function openXenovaGraph(id: string, options: { quantized: boolean; layout: string }): Promise<OpenedGraph> {
  const model = (await AutoModelForCausalLM.from_pretrained(id, { quantized: options.quantized, model_file_name: options.layout })) as unknown as XenovaModel;
  return {
    session: model.session,
    tensor: (type, data, dims) => new Tensor(type, data as never, dims),
    generationConfig: model.generation_config ?? null,
    dispose: () => model.dispose(),
  };
}
