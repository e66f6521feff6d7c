import { z } from 'zod';

/**
 * Protected spans: kinds of text that carry facts rather than style. A token overlapping one is
 * never selected, and a replacement that would land inside one (a drawn digit next to a number, a
 * token that completes an e-mail address) is never drawn. Numbers are on by default: with a
 * sub-word prior an edit inside "1911" writes "19301", a new fact.
 */
export const protectSchema = z
  .object({
    /** Digits, with the separators inside a number (1,000.50, 6-3-3, 12:30) and a hyphen that joins a word (27-year). */
    numbers: z.boolean().default(true),
    urls: z.boolean().default(false),
    emails: z.boolean().default(false),
    /** Markdown code: `inline` spans and ``` fenced blocks. */
    code: z.boolean().default(false),
    /** More kinds, as JavaScript regular expressions (flags u and g are added). */
    patterns: z
      .array(
        z.string().refine((p) => compiles(p), (p) => ({ message: `not a valid regular expression: ${JSON.stringify(p)}` })),
      )
      .default([]),
  })
  .strict();

export type ProtectConfig = z.infer<typeof protectSchema>;

const KINDS: Record<Exclude<keyof ProtectConfig, 'patterns'>, RegExp> = {
  numbers: /\p{Nd}+(?:[.,:/-]\p{Nd}+)*(?:-(?=\p{L}))?/gu,
  urls: /\b(?:https?:\/\/|www\.)[^\s<>"')\]]+/giu,
  emails: /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu,
  code: /```[\s\S]*?```|`[^`\n]+`/gu,
};

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'gu');
    return true;
  } catch {
    return false;
  }
}

/** The expressions one protect setting asks for, compiled once per run. */
export function protectPatterns(config: ProtectConfig | undefined): RegExp[] {
  if (!config) return [];
  const kinds = (Object.keys(KINDS) as (keyof typeof KINDS)[]).filter((k) => config[k]).map((k) => KINDS[k]);
  return [...kinds, ...config.patterns.map((p) => new RegExp(p, 'gu'))];
}

/** Protected character ranges of `text`, merged and sorted: [start0, end0, start1, end1, …]. */
export function protectedRanges(text: string, patterns: readonly RegExp[]): number[] {
  const ranges: [number, number][] = [];
  for (const re of patterns) {
    for (const m of text.matchAll(re)) if (m[0].length > 0) ranges.push([m.index, m.index + m[0].length]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [start, end] of ranges) {
    if (merged.length > 0 && start <= merged[merged.length - 1]) merged[merged.length - 1] = Math.max(merged[merged.length - 1], end);
    else merged.push(start, end);
  }
  return merged;
}

/** Whether [start, end) shares a character with a protected range. */
export function overlapsRange(ranges: readonly number[], start: number, end: number): boolean {
  for (let r = 0; r < ranges.length && ranges[r] < end; r += 2) if (ranges[r + 1] > start) return true;
  return false;
}
