import type { Origin, ReadItem, Reject } from './document.js';

/** Which fields of a JSON record hold the text and the id; every other field goes to meta. */
export interface FieldMap {
  textField: string;
  idField: string;
}

const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`);

/**
 * Turn one parsed JSON value into a document, or a reject saying why not. A `meta` object in the
 * record is merged into meta, so Tailguard's own outputs read back with their meta intact.
 */
export function recordToItem(value: unknown, fields: FieldMap, where: Origin & { fallbackId: string }): ReadItem {
  const { fallbackId, ...origin } = where;
  const reject = (kind: Reject['kind'], reason: string, id?: string): ReadItem => ({ ok: false, reject: { ...origin, id, kind, reason } });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return reject('not-an-object', `record is ${typeName(value)}, expected an object`);
  const record = value as Record<string, unknown>;
  const rawId = record[fields.idField];
  // An id of another type would be lost (it is not copied to meta), so it is refused, not replaced.
  if (rawId !== undefined && rawId !== null && typeof rawId !== 'string' && typeof rawId !== 'number') return reject('bad-id', `id field "${fields.idField}" is ${typeName(rawId)}, expected a string or a number`);
  const id = rawId === undefined || rawId === null ? fallbackId : String(rawId);
  const text = record[fields.textField];
  if (text === undefined) return reject('missing-text', `missing text field "${fields.textField}"`, id);
  if (typeof text !== 'string') return reject('text-not-a-string', `text field "${fields.textField}" is ${typeName(text)}, expected a string`, id);
  // A lone surrogate (a \ud800 escape) is not Unicode: no tokenizer or UTF-8 file can hold it.
  const surrogate = /\p{Cs}/u.exec(text);
  if (surrogate) return reject('invalid-unicode', `text holds an unpaired surrogate U+${surrogate[0].charCodeAt(0).toString(16).toUpperCase()} at character ${surrogate.index}`, id);
  const meta: Record<string, unknown> = {};
  const nested = record.meta;
  const merge = nested !== null && typeof nested === 'object' && !Array.isArray(nested);
  if (merge) Object.assign(meta, nested);
  for (const [key, v] of Object.entries(record)) if (key !== fields.textField && key !== fields.idField && !(key === 'meta' && merge)) meta[key] = v;
  return { ok: true, doc: { id, text, meta }, where: origin };
}
