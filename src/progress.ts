/**
 * What a long command shows while it works: one status line on stderr (a bar, or a spinner while
 * the amount of work is unknown), with messages printed above it, never onto it. Silent when
 * stderr is not a terminal (CI, pipes), so logs stay clean. The clock and the stream are
 * injectable: tests draw at chosen instants instead of racing a timer.
 */

/** Where the status line is drawn: stderr, or a test's recorder. */
export interface Terminal {
  isTTY?: boolean;
  write(text: string): unknown;
}

const CLEAR = '\r\x1b[2K';
const SPINNER = ['|', '/', '-', '\\'];

/** The one status line of a terminal; a message clears it, is printed, and the line comes back. */
export class StatusLine {
  private render: (() => string) | undefined;
  private shown = false;

  constructor(private readonly out: Terminal = process.stderr) {}

  get enabled(): boolean {
    return this.out.isTTY === true;
  }

  /** Draw `render()` now and on every redraw, until `hide`. */
  show(render: () => string): void {
    this.render = render;
    this.redraw();
  }

  redraw(): void {
    if (!this.enabled || !this.render) return;
    this.out.write(`${CLEAR}${this.render()}`);
    this.shown = true;
  }

  hide(): void {
    this.render = undefined;
    if (this.shown) this.out.write(CLEAR);
    this.shown = false;
  }

  /** A message on its own line above the status line (a log line, the Ctrl-C notice). */
  print(message: string): void {
    if (this.shown) this.out.write(CLEAR);
    this.shown = false;
    this.out.write(`${message}\n`);
    this.redraw();
  }
}

/** The status line of this process's stderr: every log line and bar of the CLI goes through it. */
export const stderrLine = new StatusLine();

export interface ProgressOptions {
  /** Draw at all (default: when the line's terminal is a TTY). */
  enabled?: boolean;
  line?: StatusLine;
  /** Milliseconds since the epoch; injected by tests. */
  now?: () => number;
  /** Redraw the spinner this often while nothing ticks (ms; 0 = only on ticks, as tests want). */
  animateEvery?: number;
}

/** How far through its input a pass is, in bytes (a file of known size). */
export interface ByteMeasure {
  readonly total: number;
  readonly done: number;
}

/**
 * Progress of a command through phases (opening the prior, calibrating, editing): each phase
 * shows from its first instant, with a bar and ETA when its total is known (bytes of the input,
 * or documents), a spinner otherwise, the rate in `unitName`/s and the elapsed time.
 */
export class Progress {
  private what = '';
  private docs = 0;
  private units = 0;
  private started: number;
  private lastDraw = -Infinity;
  private frame = 0;
  private measure: ByteMeasure | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly line: StatusLine;
  private readonly now: () => number;
  private readonly enabled: boolean;

  constructor(
    private readonly label: string,
    private total: number | undefined,
    private readonly unitName = 'tokens',
    options: ProgressOptions | boolean = {},
  ) {
    const o = typeof options === 'boolean' ? { enabled: options } : options;
    this.line = o.line ?? stderrLine;
    this.now = o.now ?? Date.now;
    this.enabled = o.enabled ?? this.line.enabled;
    this.started = this.now();
    const every = o.animateEvery ?? 250;
    if (this.enabled && every > 0) this.timer = setInterval(() => this.draw(), every).unref();
  }

  /** Start a phase: counts and clock start again; `total` (documents) and `bytes` give it a bar. */
  phase(what: string, o: { total?: number; bytes?: ByteMeasure } = {}): void {
    this.what = what;
    this.docs = 0;
    this.units = 0;
    this.started = this.now();
    this.total = o.total;
    this.measure = o.bytes;
    this.draw();
  }

  tick(docs: number, units: number): void {
    this.docs += docs;
    this.units += units;
    if (this.now() - this.lastDraw > 200) this.draw();
  }

  /** Set the total once it is known or can be estimated (the ETA needs one). */
  expect(total: number): void {
    this.total = total;
  }

  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.enabled) this.line.hide();
  }

  /** The status line as it stands now (what `draw` shows). */
  render(): string {
    const secs = Math.max(0.001, (this.now() - this.started) / 1000);
    const head = [this.label, this.what].filter(Boolean).join(' ');
    const rate = this.units > 0 ? `, ${Math.round(this.units / secs)} ${this.unitName}/s` : '';
    const docs = `${this.docs}${this.total && !this.measure ? `/${this.total}` : ''} docs`;
    const fraction = this.measure && this.measure.total > 0 ? this.measure.done / this.measure.total : this.total ? this.docs / this.total : undefined;
    if (fraction === undefined) return `${head} ${SPINNER[this.frame++ % SPINNER.length]} ${this.docs > 0 ? `${docs}${rate}, ` : ''}${formatSeconds(secs)}`;
    const f = Math.min(1, fraction);
    const width = 24;
    const filled = Math.round(f * width);
    const bytes = this.measure ? ` ${formatBytes(this.measure.done)}/${formatBytes(this.measure.total)},` : '';
    const eta = f > 0 ? (secs / f) * (1 - f) : NaN;
    return `${head} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(f * 100).toFixed(0)}%${bytes} ${docs}${rate}, ETA ${formatSeconds(eta)}`;
  }

  private draw(): void {
    if (!this.enabled) return;
    this.lastDraw = this.now();
    this.line.show(() => this.render());
  }
}

/**
 * "3/12, ETA 1m20s" for commands that work through a known number of items (compare's
 * strategies, simulate's runs): the ETA assumes the remaining items take as long as the done ones.
 */
export class ItemCount {
  private done = 0;
  private readonly started: number;

  constructor(
    private readonly total: number,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  /** Count one more item done and say where that leaves the command. */
  next(): string {
    this.done++;
    const secs = (this.now() - this.started) / 1000;
    const left = this.total - this.done;
    return `${this.done}/${this.total}${left > 0 ? `, ETA ${formatSeconds((secs / this.done) * left)}` : ''}`;
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function formatBytes(n: number): string {
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}
