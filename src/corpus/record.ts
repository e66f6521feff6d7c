import type { ReadItem } from './document.js';

/** Which fields of a JSON record hold the text and the id; every other field goes to meta. */
export interface FieldMap {
  textField: string;
  idField: string;
}

/**
 * Turn one parsed JSON value into a document, or a reject saying why not. A `meta` object in the
 * record is merged into meta, so Tailguard's own outputs read back with their meta intact.
 */
export function recordToItem(value: unknown, fields: FieldMap, where: { file: string; line: number; fallbackId: string }): ReadItem {
  const reject = (reason: string, id?: string): ReadItem => ({ ok: false, reject: { file: where.file, line: where.line, id, reason } });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return reject(`record is ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}, expected an object`);
  }
  const record = value as Record<string, unknown>;
  const rawId = record[fields.idField];
  const id = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : where.fallbackId;
  const text = record[fields.textField];
  if (text === undefined) return reject(`missing text field "${fields.textField}"`, id);
  if (typeof text !== 'string') return reject(`text field "${fields.textField}" is ${text === null ? 'null' : `a ${typeof text}`}, expected a string`, id);
  const meta: Record<string, unknown> = {};
  const nested = record.meta;
  if (nested && typeof nested === 'object' && !Array.isArray(nested)) Object.assign(meta, nested);
  for (const [key, v] of Object.entries(record)) if (key !== fields.textField && key !== fields.idField && key !== 'meta') meta[key] = v;
  return { ok: true, doc: { id, text, meta }, where: { file: where.file, line: where.line } };
}
