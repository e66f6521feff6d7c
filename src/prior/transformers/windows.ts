/**
 * How a document longer than the model's context is scored: overlapping windows, each token
 * scored exactly once.
 *
 * The scored sequence is s = [<|endoftext|>, x_0, ..., x_{n-1}]; target j (1..n) is s[j], predicted
 * from the window's tokens before it. The first window feeds s[0 .. C) and scores targets 1..C.
 * Every later window ends `stride` targets further on, feeds the C tokens just before its last
 * target and scores only the targets not scored yet, so each of them sees at least C - stride
 * tokens of left context. Nothing is truncated.
 */
export interface ScoringWindow {
  /** First input index into s (inclusive). */
  start: number;
  /** Last input index + 1; the window feeds s[start .. end) and can predict s[start+1 .. end]. */
  end: number;
  /** First target index this window scores; it scores targets first..end. */
  first: number;
}

/** The windows for a document of `n` tokens (n >= 1), context `context`, advance `stride`. */
export function planWindows(n: number, context: number, stride: number): ScoringWindow[] {
  if (n <= 0) return [];
  const windows: ScoringWindow[] = [];
  let done = Math.min(n, context);
  windows.push({ start: 0, end: done, first: 1 });
  while (done < n) {
    const last = Math.min(n, done + stride);
    windows.push({ start: last - context, end: last, first: done + 1 });
    done = last;
  }
  return windows;
}
