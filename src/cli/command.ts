import { type ParseArgsConfig, parseArgs } from 'node:util';
import { TailguardError } from '../errors.js';
import { stderrLine } from '../progress.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ options: O & { help: { type: 'boolean'; short: 'h' } }; allowPositionals: true; strict: true }>>;

/**
 * A command of the CLI: its help (with an example), the flags it accepts and nothing else, and
 * the call into the library. Parsing is strict: a flag another command takes is refused here.
 */
export interface Command {
  run(argv: string[]): Promise<number>;
  /** Parse `argv` as `run` would, without running: throws on a flag the command does not take (the docs' test). */
  check(argv: string[]): void;
}

/** The values parseArgs gives for a table of flags: booleans for boolean flags, strings otherwise. */
export type FlagValues<T extends Options> = { [K in keyof T]?: T[K] extends { type: 'boolean' } ? boolean : string };

/** The pipeline whose prior a command uses when --pipeline names none. */
export const DEFAULT_PIPELINE = 'pipelines/toedit-ngram.json';

export function defineCommand<O extends Options>(name: string, help: string, options: O, run: (values: Parsed<O>['values'], positionals: string[], argv: string[]) => Promise<number>): Command {
  const parse = (argv: string[]) => {
    refuseUnknownFlags(name, argv, Object.keys(options));
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } } as O & { help: { type: 'boolean'; short: 'h' } }, allowPositionals: true, strict: true });
  };
  return {
    check: (argv) => void parse(argv),
    async run(argv) {
      const { values, positionals } = parse(argv);
      if ((values as { help?: boolean }).help) {
        console.log(help);
        return 0;
      }
      return run(values, positionals, [name, ...argv]);
    },
  };
}

/**
 * A flag the command does not take exits 2 naming it and the command, with the closest flag it
 * does take when one is near (a typo), instead of parseArgs's own message.
 */
function refuseUnknownFlags(command: string, argv: string[], known: string[]): void {
  for (const arg of argv) {
    if (arg === '--') return;
    if (!arg.startsWith('--')) continue;
    const flag = arg.slice(2).split('=')[0];
    if (flag === 'help' || known.includes(flag)) continue;
    const near = known.map((k) => ({ k, d: editDistance(flag, k) })).sort((a, b) => a.d - b.d)[0];
    const hint = near && near.d <= Math.max(1, Math.min(2, Math.floor(flag.length / 2))) ? `; did you mean '--${near.k}'?` : '';
    throw new TailguardError('config', `${command}: unknown flag '--${flag}'${hint} (see tailguard ${command} --help)`);
  }
}

/** Levenshtein distance: insertions, deletions and substitutions of one character. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/** Flags of the commands that write a run folder. */
export const OUTPUT_FLAGS = {
  out: { type: 'string' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
} as const;

/** How corpus arguments' files are read. */
export const CORPUS_FLAGS = {
  format: { type: 'string' },
  'text-field': { type: 'string' },
  'id-field': { type: 'string' },
  split: { type: 'string' },
  'max-reject-share': { type: 'string' },
} as const;

export function corpusFlags(v: FlagValues<typeof CORPUS_FLAGS>) {
  return { format: v.format, textField: v['text-field'], idField: v['id-field'], split: v.split, maxRejectShare: num('max-reject-share', v['max-reject-share']) };
}

/** Log lines on stderr (above the progress bar, never on its line), or none with --quiet. */
export function logger(quiet: boolean | undefined): (message: string) => void {
  return quiet ? () => {} : (m) => stderrLine.print(m);
}

export function int(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new TailguardError('config', `--${name} expects a non-negative integer, got "${value}"`);
  return n;
}

export function num(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new TailguardError('config', `--${name} expects a number, got "${value}"`);
  return n;
}

/** Exactly one positional argument, or a config error naming what was expected. */
export function expectArgs(command: string, positionals: string[], what: string): void {
  if (positionals.length !== 1) throw new TailguardError('config', `${command}: expected one ${what}, got ${positionals.length} (see --help)`);
}

/** A positive number of seconds, or undefined when the flag is not given. */
export function seconds(name: string, value: string | undefined): number | undefined {
  const s = num(name, value);
  if (s !== undefined && s <= 0) throw new TailguardError('config', `--${name} expects a positive number of seconds, got "${value}"`);
  return s;
}

/**
 * A configuration file with integer flags laid over it (those given), validated again through its
 * schema: `--workers 0` is refused as `"workers": 0` in the file would be.
 */
export async function loadWithFlags<T>(file: string, load: (path: string) => Promise<T>, parse: (value: unknown, source: string) => T, flags: Record<string, string | undefined>): Promise<T> {
  const base = await load(file);
  const overrides = Object.fromEntries(Object.entries(flags).flatMap(([k, raw]) => (raw === undefined ? [] : [[k, int(k, raw)]])));
  return parse({ ...base, ...overrides }, `${file} with flags`);
}
