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

/** Read a JSON configuration file and validate it: unreadable files and bad JSON are config errors too. */
export async function loadConfig<T>(path: string, parse: (value: unknown, source: string) => T, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new TailguardError('config', `${path}: cannot read ${what} file (${(e as NodeJS.ErrnoException).code})`, { file: path, cause: e });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new TailguardError('config', `${path}: not valid JSON (${(e as Error).message})`, { file: path, cause: e });
  }
  return parse(value, path);
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
