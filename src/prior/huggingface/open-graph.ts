import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { AutoModelForCausalLM, env, LogLevel } from '@huggingface/transformers';
import { TailguardError } from '../../errors.js';
import type { GraphOpener } from '../transformers/load.js';
import type { OpenedGraph, TensorFactory } from '../transformers/model.js';

/**
 * The Tensor class of the onnxruntime-node @huggingface/transformers opens sessions with (1.30, its
 * own nested copy): a session's run() takes only Tensors of its own onnxruntime-common, and the
 * library's Tensor wraps one rather than being one.
 */
const hfRequire = createRequire(createRequire(import.meta.url).resolve('@huggingface/transformers'));
const { Tensor: OrtTensor } = hfRequire('onnxruntime-node') as { Tensor: new (type: string, data: unknown, dims: number[]) => unknown };
const tensor: TensorFactory = (type, data, dims) => new OrtTensor(type, data, dims);

/** What @huggingface/transformers' AutoModelForCausalLM gives: its session(s), generation config and dispose. */
interface HuggingfaceModel {
  sessions: Record<string, OpenedGraph['session']>;
  generation_config: Record<string, unknown> | null;
  dispose(): Promise<unknown>;
}

/**
 * onnxruntime's C++ logger writes to the process's stderr, which no JavaScript hook can catch. At
 * ERROR (3) it still prints, for a CUDA provider that cannot load, a line naming a missing .so the
 * user did not ask about; FATAL (4) leaves it to our own error, which carries the library's reason.
 */
const SESSION_LOG_SEVERITY = 4;

/** Errors of a session that could not get its execution provider, as onnxruntime-node 1.30 words them (CUDA, WebGPU). */
const PROVIDER_FAILURE = /ExecutionProvider|provider|shared library|adapter|WebGPU|CUDA|Dawn/i;

function deviceError(device: string, cause: Error): TailguardError {
  const reason = cause.message.split('\n')[0].slice(0, 300);
  const hint = /cuda/i.test(device)
    ? ' Tailguard installs onnxruntime-node without its CUDA binaries (.npmrc: onnxruntime-node-install=skip); on a machine with CUDA 12, remove that line and reinstall (npm ci). See docs/priors.md.'
    : '';
  return new TailguardError('config', `prior.device "${device}" is not available on this machine: ${reason}.${hint} Use "device": "cpu" (the default), which is what Tailguard's tests run.`, { cause });
}

/**
 * Opens the graph with @huggingface/transformers (onnxruntime-node 1.30) on `device`: the library
 * finds the file (`model_file_name` = the layout, dtype q8 for the _quantized graph), maps the
 * device to execution providers and creates the session; SessionCausalLM (transformers/model.ts)
 * feeds it, exactly as it feeds the default backend's. Like the default backend it reads a local
 * folder only (env.allowRemoteModels off) unless the prior is a hub id, and it puts the library's
 * global env back afterwards: loads take turns already (inside the default backend's env lock,
 * transformers/load.ts).
 */
export function huggingfaceGraphOpener(device: string): GraphOpener {
  return async ({ id, folder, quantized, layout }) => {
    const saved = { allowRemoteModels: env.allowRemoteModels, localModelPath: env.localModelPath, logLevel: env.logLevel };
    env.allowRemoteModels = folder === null;
    env.logLevel = LogLevel.NONE;
    if (folder !== null) env.localModelPath = dirname(folder) + '/';
    try {
      const model = (await AutoModelForCausalLM.from_pretrained(id, {
        dtype: quantized ? 'q8' : 'fp32',
        model_file_name: layout,
        device: device as 'cpu',
        session_options: { logSeverityLevel: SESSION_LOG_SEVERITY },
      })) as unknown as HuggingfaceModel;
      const session = model.sessions.model ?? Object.values(model.sessions)[0];
      return { session, tensor, generationConfig: model.generation_config ?? null, dispose: () => model.dispose() };
    } catch (cause) {
      const error = cause as Error;
      if (/^Unsupported device/.test(error.message) || (device !== 'cpu' && PROVIDER_FAILURE.test(error.message))) throw deviceError(device, error);
      throw cause;
    } finally {
      env.allowRemoteModels = saved.allowRemoteModels;
      env.localModelPath = saved.localModelPath;
      env.logLevel = saved.logLevel;
    }
  };
}
