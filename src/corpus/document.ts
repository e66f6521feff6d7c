/** A document as it flows through every stage. Stages add fields; none drops `id` or `meta`. */
export interface Document {
  id: string;
  text: string;
  meta: Record<string, unknown>;
}

/** Why a record could not become a document, and where it was. Written to rejects.jsonl. */
export interface Reject {
  file: string;
  /** 1-based line for line-oriented formats, record index for JSON arrays. */
  line?: number;
  id?: string;
  reason: string;
}

/** What a reader yields: a document, or the record of one that could not be read. */
export type ReadItem = { ok: true; doc: Document; where?: { file: string; line?: number } } | { ok: false; reject: Reject };
