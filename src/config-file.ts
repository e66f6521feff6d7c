import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { TailguardError } from './errors.js';

/**
 * Validate a parsed configuration (pipeline, simulation, comparison …) against its schema. The
 * error names every offending key, what was expected and, for range and type errors, the value
 * given ("edit.beta: Number must be greater than 0, got 0"), before any work starts.
 */
export function parseConfig<S extends z.ZodTypeAny>(schema: S, value: unknown, source: string, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(top level)'}: ${describeIssue(i)}${received(value, i)}`);
  throw new TailguardError('config', `${source}: invalid ${what}\n${problems.join('\n')}`);
}

/**
 * Read a JSON configuration file and validate it: unreadable files and bad JSON are config errors
 * too. Comments are allowed (JSONC, as in tsconfig.json): `tailguard init` writes pipelines with a
 * comment on every key, and a user may annotate their own.
 */
export async function loadConfig<T>(path: string, parse: (value: unknown, source: string) => T, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new TailguardError('config', `${path}: cannot read ${what} file (${(e as NodeJS.ErrnoException).code})`, { file: path, cause: e });
  }
  let value: unknown;
  try {
    value = JSON.parse(withoutComments(text));
  } catch (e) {
    throw new TailguardError('config', `${path}: not valid JSON (${(e as Error).message})`, { file: path, cause: e });
  }
  return parse(value, path);
}

/**
 * JSON text with its `//` and `/* *\/` comments blanked out, strings left alone (`"redis://host"`
 * is no comment). Comment characters become spaces and their line ends stay, so JSON.parse's
 * positions in an error still point into the file as written.
 */
export function withoutComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      // A string, to its closing quote (a backslash escapes the next character).
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) {
      const block = text[i + 1] === '*';
      const close = block ? text.indexOf('*/', i + 2) : text.indexOf('\n', i);
      // An unclosed block comment runs to the end, and JSON.parse then fails on what is left.
      const end = close === -1 ? text.length : block ? close + 2 : close;
      out += text.slice(i, end).replace(/[^\r\n]/g, ' ');
      i = end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function received(value: unknown, issue: z.ZodIssue): string {
  if (issue.code !== 'too_small' && issue.code !== 'too_big' && issue.code !== 'invalid_type') return '';
  const got = issue.path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), value);
  return got === undefined ? '' : `, got ${JSON.stringify(got)}`;
}

function describeIssue(issue: z.ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}
