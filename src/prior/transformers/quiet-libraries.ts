// @ts-expect-error -- transformers.js ships no types for this module. It is the one place that
// holds the onnxruntime module transformers.js builds its sessions with (the same instance, not a
// second copy a direct import of onnxruntime-node might resolve to); the slice used is typed below.
import { ONNX } from '@xenova/transformers/src/backends/onnx.js';

/**
 * Keeps what transformers.js and onnxruntime print while a model loads away from the user; our own
 * error says what broke. Two sources, found by loading a truncated and a byte-flipped model:
 *
 * - JavaScript console calls. transformers.js's constructSession() catches a failed onnxruntime-node
 *   session, console.warn()s the error with its stack and "Using `wasm` as a fallback", then tries
 *   onnxruntime-web, whose Emscripten runtime console.warn()s the parse failure once more.
 * - onnxruntime's C++ logger, which writes to the process's stderr (fd 2) at severity WARNING and
 *   up, e.g. "[W:onnxruntime:, graph.cc:3490 CleanUnusedInitializersAndNodeArgs] Removing
 *   initializer ..." for graphs exported with unused weights. No JavaScript hook can catch that;
 *   the session option logSeverityLevel can, and transformers.js passes only executionProviders.
 *
 * For as long as a load runs (not the whole run), console calls whose stack passes through these
 * libraries are recorded instead of printed (everything else is printed as usual, so a progress
 * line of ours is never lost), and every session created gets logSeverityLevel 3 (errors only).
 * Should two loads overlap, the hooks go in with the first and come out with the last.
 */

// A frame in node_modules/@xenova/transformers/, node_modules/@huggingface/transformers/ (the second
// backend, whose logger warns through the console too) or node_modules/onnxruntime-*/, or, with
// source maps on (tsx), in webpack://onnxruntime-web/ (the wasm runtime's console.warn).
const LIBRARY_FRAME = /(?:@xenova[\\/]transformers|@huggingface[\\/]transformers|onnxruntime-(?:node|web|common))[\\/]/;
const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;
/** onnxruntime's severities: 0 verbose, 1 info, 2 warning (its default), 3 error, 4 fatal. */
const SESSION_LOG_SEVERITY = 3;

interface SessionFactory {
  create(...args: unknown[]): Promise<unknown>;
}
const sessions = (ONNX as { InferenceSession: SessionFactory }).InferenceSession;

type ConsoleMethod = (typeof CONSOLE_METHODS)[number];
let active = 0;
const listeners = new Set<string[]>();
let restore: (() => void) | null = null;

function text(args: unknown[]): string {
  return args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ').trim().replace(/\.$/, '');
}

function install(): () => void {
  const saved = Object.fromEntries(CONSOLE_METHODS.map((m) => [m, console[m]])) as Record<ConsoleMethod, (...args: unknown[]) => void>;
  for (const method of CONSOLE_METHODS) {
    console[method] = (...args: unknown[]) => {
      // Once the last load is over, a reference a library kept to this function prints as before.
      if (active === 0 || !LIBRARY_FRAME.test(new Error().stack ?? '')) return saved[method].apply(console, args);
      for (const heard of listeners) heard.push(text(args));
    };
  }
  const create = sessions.create;
  sessions.create = (...args: unknown[]) => {
    // create(model, options?) or create(buffer, byteOffset, byteLength?, options?): options come last.
    const last = args[args.length - 1];
    const hasOptions = args.length > 1 && typeof last === 'object' && last !== null && !ArrayBuffer.isView(last) && !(last instanceof ArrayBuffer);
    if (hasOptions) args[args.length - 1] = { logSeverityLevel: SESSION_LOG_SEVERITY, ...last };
    else if (args.length === 1) args.push({ logSeverityLevel: SESSION_LOG_SEVERITY });
    return create.apply(sessions, args);
  };
  return () => {
    Object.assign(console, saved);
    sessions.create = create;
  };
}

/**
 * Run `load` with the libraries quiet. `heard` collects what they printed meanwhile (one string per
 * call, errors as their message without the stack), for the caller's error message.
 */
export async function quietLibraries<T>(load: (heard: readonly string[]) => Promise<T>): Promise<T> {
  const heard: string[] = [];
  if (active++ === 0) restore = install();
  listeners.add(heard);
  try {
    return await load(heard);
  } finally {
    listeners.delete(heard);
    if (--active === 0) {
      restore?.();
      restore = null;
    }
  }
}
