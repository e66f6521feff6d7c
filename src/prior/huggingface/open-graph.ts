import { basename, dirname } from 'node:path';
import { AutoModelForCausalLM, env, LogLevel } from '@huggingface/transformers';
import { TailguardError } from '../../errors.js';
import type { GraphOpener } from '../transformers/load.js';
import { huggingfaceCausalLM } from './causal-lm.js';

/** The suffix @huggingface/transformers gives a graph of each dtype it is asked for (dtypes.js). */
const QUANTIZED_SUFFIX = '_quantized';

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
 * Opens the graph with @huggingface/transformers (onnxruntime-node 1.30) on `device`. Like the
 * default backend it reads a local folder only (env.allowRemoteModels off) unless the prior is a
 * hub id, and it puts the library's global env back afterwards: loads take turns already (they
 * run inside the default backend's env lock, transformers/load.ts).
 */
export function huggingfaceGraphOpener(device: string): GraphOpener {
  return async ({ id, folder, file }) => {
    const stem = basename(file, '.onnx');
    const quantized = stem.endsWith(QUANTIZED_SUFFIX);
    const saved = { allowRemoteModels: env.allowRemoteModels, localModelPath: env.localModelPath, logLevel: env.logLevel };
    env.allowRemoteModels = folder === null;
    env.logLevel = LogLevel.NONE;
    if (folder !== null) env.localModelPath = dirname(folder) + '/';
    try {
      const model = await AutoModelForCausalLM.from_pretrained(id, {
        dtype: quantized ? 'q8' : 'fp32',
        model_file_name: quantized ? stem.slice(0, -QUANTIZED_SUFFIX.length) : stem,
        subfolder: dirname(file),
        device: device as 'cpu',
        session_options: { logSeverityLevel: SESSION_LOG_SEVERITY },
      });
      return huggingfaceCausalLM(model);
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
