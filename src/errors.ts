/** Machine-readable error codes; the CLI maps them to exit codes. */
export type ErrorCode =
  | 'config' // a pipeline file or option is invalid
  | 'input' // an input file is missing, unreadable or malformed (strict mode)
  | 'model' // a prior model folder or file is missing or corrupt
  | 'output' // the run folder cannot be written safely
  | 'interrupted' // stopped by SIGINT/SIGTERM after saving a checkpoint
  | 'internal'; // an invariant broke: a bug

/**
 * The one error type Tailguard throws. It names what failed and where, and keeps the original
 * error as `cause` so nothing is swallowed.
 */
export class TailguardError extends Error {
  readonly code: ErrorCode;
  readonly step?: string;
  readonly docId?: string;
  readonly file?: string;
  readonly line?: number;

  constructor(
    code: ErrorCode,
    message: string,
    where: { step?: string; docId?: string; file?: string; line?: number; cause?: unknown } = {},
  ) {
    super(message, where.cause === undefined ? undefined : { cause: where.cause });
    this.name = 'TailguardError';
    this.code = code;
    this.step = where.step;
    this.docId = where.docId;
    this.file = where.file;
    this.line = where.line;
  }
}
