import type { Origin, ReadItem, Reject } from './document.js';

/** Which fields of a JSON record hold the text and the id; every other field goes to meta. */
export interface FieldMap {
  textField: string;
  idField: string;
  /**
   * Yield every record whole, as the meta of a document with no text, its fields not yet known:
   * for looking at a file's first records to guess them (tailguard init). Never in a run.
   */
  wholeRecords?: boolean;
}

const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`);

/** Fields a missing-text reject lists, so a wrong `textField` shows what the record does hold. */
const LISTED_FIELDS = 8;

/**
 * The id a parsed record carries in its id field (a string or a number, as text), `fallbackId`
 * when it has none, or undefined when it is of another type (an object or array id would be lost).
 */
export function recordId(record: Record<string, unknown>, idField: string, fallbackId: string): string | undefined {
  const raw = record[idField];
  if (raw === undefined || raw === null) return fallbackId;
  return typeof raw === 'string' || typeof raw === 'number' ? String(raw) : undefined;
}

/**
 * The id of a JSON record whose bytes are not all valid UTF-8, when it can be told for sure: the
 * line parses once the bad bytes are decoded as U+FFFD, and neither the id nor any field name
 * holds a U+FFFD (the bad bytes were in a value, not in the id or its key). The lossy decoding
 * serves only to find the id: the text is never taken from it.
 */
export function idDespiteBadBytes(lossy: string, idField: string, fallbackId: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(lossy);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (Object.keys(record).some((k) => k.includes('\uFFFD'))) return undefined;
  const id = recordId(record, idField, fallbackId);
  return id?.includes('\uFFFD') ? undefined : id;
}

/** The record's first fields by name, for a reason: `"id", "content"` (and how many more). */
function fieldList(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  if (keys.length === 0) return 'no fields at all';
  const shown = keys.slice(0, LISTED_FIELDS).map((k) => JSON.stringify(k)).join(', ');
  return `fields ${shown}${keys.length > LISTED_FIELDS ? ` and ${keys.length - LISTED_FIELDS} more` : ''}`;
}

/**
 * Turn one parsed JSON value into a document, or a reject saying why not. A `meta` object in the
 * record is merged into meta, so Tailguard's own outputs read back with their meta intact.
 */
export function recordToItem(value: unknown, fields: FieldMap, where: Origin & { fallbackId: string }): ReadItem {
  const { fallbackId, ...origin } = where;
  const reject = (kind: Reject['kind'], reason: string, id?: string): ReadItem => ({ ok: false, reject: { ...origin, id, kind, reason } });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return reject('not-an-object', `record is ${typeName(value)}, expected an object`);
  const record = value as Record<string, unknown>;
  if (fields.wholeRecords) return { ok: true, doc: { id: fallbackId, text: '', meta: record }, where: origin };
  const id = recordId(record, fields.idField, fallbackId);
  // An id of another type would be lost (it is not copied to meta), so it is refused, not replaced.
  if (id === undefined) return reject('bad-id', `id field "${fields.idField}" is ${typeName(record[fields.idField])}, expected a string or a number`);
  const text = record[fields.textField];
  if (text === undefined) {
    // Naming what the record holds, and the setting, turns "wrong field name" into a one-step fix.
    return reject('missing-text', `missing text field "${fields.textField}": the record has ${fieldList(record)}; set --text-field (or "textField" in the input) to the one holding the text`, id);
  }
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
