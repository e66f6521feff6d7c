/** A document as it flows through every stage. Stages add fields; none drops `id` or `meta`. */
export interface Document {
  id: string;
  text: string;
  meta: Record<string, unknown>;
}

/** Why a record was rejected, as a stable name: the manifest counts rejects by kind. */
export type RejectKind =
  | 'malformed-json'
  | 'not-an-object'
  | 'missing-text'
  | 'text-not-a-string'
  | 'bad-id'
  | 'empty-text'
  | 'invalid-utf8'
  | 'invalid-unicode'
  | 'duplicate-id'
  | 'record-too-long'
  | 'truncated';

/** Why a record could not become a document, and where it was. Written to rejects.jsonl. */
export interface Reject {
  file: string;
  /** 1-based line for line-oriented formats, record index for JSON arrays. */
  line?: number;
  /** Byte offset in the file (in the decompressed data for .gz) of the record or of the bad byte. */
  offset?: number;
  id?: string;
  kind: RejectKind;
  reason: string;
}

/** Where a document came from, for rejects found after reading and for per-file accounting. */
export interface Origin {
  file: string;
  line?: number;
  offset?: number;
}

/** What a reader yields: a document, or the record of one that could not be read. */
export type ReadItem = { ok: true; doc: Document; where?: Origin } | { ok: false; reject: Reject };
