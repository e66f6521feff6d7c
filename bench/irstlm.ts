/**
 * IRSTLM (Debian's `irstlm`, C++) on the same words as Tailguard's n-gram prior: the reference
 * the issue measures the n-gram path against. Installs the package when it can (root and apt),
 * builds a model of the same order with modified Kneser-Ney smoothing (IRSTLM's `msb`, modified
 * shift-beta, interpolated) on the Brown train words, and times `compile-lm --eval` on the
 * held-out words: the same word segmentation Tailguard uses, one document per line. IRSTLM keeps
 * its own vocabulary (Tailguard's maps words seen once to `<unk>`; written that way, IRSTLM's
 * modified Kneser-Ney refuses the corpus, "lower order count-of-counts cannot be estimated").
 *
 * Query rate, load excluded: the CPU seconds (user + system, from bash's `times`) of an
 * evaluation of the words minus those of an evaluation of an empty file (loading the model and
 * nothing else), medians of `runs` each.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { words } from '../src/corpus/words.js';

const HOME = '/usr/lib/irstlm';
const BIN = join(HOME, 'bin');

export type IrstlmResult =
  | { available: false; reason: string }
  | { available: true; installedNow: boolean; smoothing: string; words: number; loadCpuSeconds: number; evalCpuSeconds: number; wordsPerSecond: number; perplexity: number; evalRuns: number[]; loadRuns: number[] };

/** Install Debian's irstlm if it is missing and this process may (root); say why not otherwise. */
function ensureInstalled(log: (m: string) => void): { ok: boolean; installedNow: boolean; reason?: string } {
  if (existsSync(join(BIN, 'compile-lm')) && existsSync(join(BIN, 'tlm'))) return { ok: true, installedNow: false };
  if (process.getuid?.() !== 0) return { ok: false, installedNow: false, reason: 'irstlm is not installed and this is not root: run `apt-get install -y irstlm` as root' };
  log('installing Debian package irstlm (apt-get install -y irstlm) ...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '-qq', 'irstlm'], { stdio: 'ignore', env });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    r = spawnSync('apt-get', ['install', '-y', '-qq', 'irstlm'], { stdio: 'ignore', env });
  }
  if (r.status !== 0 || !existsSync(join(BIN, 'compile-lm'))) return { ok: false, installedNow: false, reason: `apt-get install irstlm failed (exit ${r.status ?? r.error?.message})` };
  return { ok: true, installedNow: true };
}

/** One document per line, its words separated by spaces. */
function writeWords(file: string, texts: readonly string[]): number {
  let n = 0;
  const lines = texts.map((t) => {
    const ws = words(t);
    n += ws.length;
    return ws.join(' ');
  });
  writeFileSync(file, lines.join('\n') + '\n');
  return n;
}

/** CPU seconds (user + system) of one compile-lm --eval run, and its output. */
function evalCpu(model: string, text: string): { seconds: number; output: string } {
  const script = `"${BIN}/compile-lm" --eval="$1" "$2" 2>&1; times`;
  const out = execFileSync('bash', ['-c', script, 'eval', text, model], { encoding: 'utf8', env: { ...process.env, IRSTLM: HOME } });
  // `times` prints the shell's own times, then its children's: "0m0.747s 0m0.023s".
  const lines = out.trim().split('\n');
  const child = lines[lines.length - 1].match(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/);
  if (!child) throw new Error(`cannot read the times of compile-lm: ${lines[lines.length - 1]}`);
  const seconds = Number(child[1]) * 60 + Number(child[2]) + Number(child[3]) * 60 + Number(child[4]);
  return { seconds, output: out };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export function benchIrstlm(o: { order: number; train: readonly string[]; heldout: readonly string[]; runs: number; work: string; log: (m: string) => void }): IrstlmResult {
  const installed = ensureInstalled(o.log);
  if (!installed.ok) return { available: false, reason: installed.reason! };
  const train = join(o.work, 'irstlm-train.txt');
  const test = join(o.work, 'irstlm-heldout.txt');
  const empty = join(o.work, 'irstlm-empty.txt');
  const arpa = join(o.work, 'irstlm.arpa');
  const model = join(o.work, 'irstlm.blm');
  writeWords(train, o.train);
  const n = writeWords(test, o.heldout);
  writeFileSync(empty, '');
  const env = { ...process.env, IRSTLM: HOME };
  execFileSync(join(BIN, 'tlm'), [`-tr=${train}`, `-n=${o.order}`, '-lm=msb', `-o=${arpa}`], { stdio: 'ignore', env });
  execFileSync(join(BIN, 'compile-lm'), [arpa, model], { stdio: 'ignore', env });
  const evalRuns: number[] = [];
  const loadRuns: number[] = [];
  let perplexity = NaN;
  for (let r = 0; r < o.runs; r++) {
    const e = evalCpu(model, test);
    perplexity = Number(e.output.match(/ PP=([\d.]+)/)?.[1]);
    evalRuns.push(e.seconds);
    loadRuns.push(evalCpu(model, empty).seconds);
  }
  const evalCpuSeconds = median(evalRuns);
  const loadCpuSeconds = median(loadRuns);
  return {
    available: true,
    installedNow: installed.installedNow,
    smoothing: `interpolated modified Kneser-Ney (tlm -lm=msb), order ${o.order}`,
    words: n,
    loadCpuSeconds,
    evalCpuSeconds,
    wordsPerSecond: Math.round(n / Math.max(1e-3, evalCpuSeconds - loadCpuSeconds)),
    perplexity,
    evalRuns,
    loadRuns,
  };
}
