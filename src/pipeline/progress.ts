/**
 * A one-line progress bar with rate and ETA on stderr. Silent when stderr is not a terminal
 * (CI, pipes), so logs stay clean; redraws at most a few times a second.
 */
export class Progress {
  private done = 0;
  private units = 0;
  private lastDraw = 0;
  private readonly started = Date.now();
  private readonly enabled: boolean;

  constructor(
    private readonly label: string,
    private total: number | undefined,
    private readonly unitName = 'tokens',
    enabled = process.stderr.isTTY === true,
  ) {
    this.enabled = enabled;
  }

  tick(docs: number, units: number): void {
    this.done += docs;
    this.units += units;
    const now = Date.now();
    if (this.enabled && now - this.lastDraw > 200) {
      this.lastDraw = now;
      this.draw(now);
    }
  }

  /** Set the total once it is known or can be estimated (the ETA needs one). */
  expect(total: number): void {
    this.total = total;
  }

  finish(): void {
    if (this.enabled) process.stderr.write('\r\x1b[2K');
  }

  private draw(now: number): void {
    const secs = Math.max(0.001, (now - this.started) / 1000);
    const rate = this.units / secs;
    let line = `${this.label} ${this.done}${this.total ? `/${this.total}` : ''} docs, ${Math.round(rate)} ${this.unitName}/s`;
    if (this.total) {
      const frac = Math.min(1, this.done / this.total);
      const width = 24;
      const filled = Math.round(frac * width);
      const eta = frac > 0 ? (secs / frac) * (1 - frac) : NaN;
      line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} docs, ${Math.round(rate)} ${this.unitName}/s, ETA ${formatSeconds(eta)}`;
    }
    process.stderr.write(`\r\x1b[2K${line}`);
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
