import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { compressionOf } from './open-bytes.js';
import { parquetRowGroups } from './parquet.js';
import type { CorpusSpec } from './spec.js';
import { type CorpusPiece, type CorpusUnit, corpusUnits, readUnit } from './units.js';

/** How a unit may be cut, and what each part weighs (bytes where known) for balancing shards. */
type Extent = { by: 'bytes'; size: number } | { by: 'rowGroups'; sizes: number[] } | { by: 'records'; count: number; weight: number };

/** A cut between shards: at byte `at` (a line start, line number `line`), row group `at`, or item `at` of unit `unit`. */
interface Cut {
  unit: number;
  at: number;
  line: number;
}

/**
 * Split a corpus into `n` shards of about equal weight, in corpus order, cutting inside files
 * too: uncompressed JSONL at line starts (one pass counts the lines before each cut, so a shard
 * numbers its lines as the whole file would), Parquet between row groups, anything else between
 * items (counted by reading the unit once). Concatenating the shards' items in order gives the
 * whole corpus's items; a shard may be empty when there are fewer parts than shards.
 */
export async function splitCorpus(spec: CorpusSpec, n: number): Promise<CorpusPiece[][]> {
  const units = await corpusUnits(spec);
  const extents: Extent[] = [];
  for (const unit of units) extents.push(await extentOf(unit, spec));
  const weights = extents.map(weightOf);
  const total = weights.reduce((a, b) => a + b, 0);
  const cuts: Cut[] = [{ unit: 0, at: 0, line: 1 }];
  const byteTargets = new Map<number, { target: number; cut: Cut }[]>();
  for (let k = 1; k < n; k++) {
    let local = (total * k) / n;
    let u = 0;
    while (u < units.length - 1 && local >= weights[u]) local -= weights[u++];
    const e = extents[u];
    const cut: Cut = { unit: u, at: 0, line: 1 };
    if (e.by === 'bytes') {
      const targets = byteTargets.get(u) ?? byteTargets.set(u, []).get(u)!;
      targets.push({ target: Math.min(e.size, Math.round(local)), cut });
    } else if (e.by === 'rowGroups') {
      let group = 0;
      for (let before = 0; group < e.sizes.length && before + e.sizes[group] / 2 <= local; group++) before += e.sizes[group];
      cut.at = group;
    } else cut.at = e.weight > 0 ? Math.min(e.count, Math.round((local / e.weight) * e.count)) : 0;
    cuts.push(cut);
  }
  for (const [u, targets] of byteTargets) {
    const starts = await lineStarts(units[u].path, targets.map((t) => t.target));
    targets.forEach((t, i) => Object.assign(t.cut, starts[i]));
  }
  const last = units.length - 1;
  cuts.push({ unit: last, at: units.length ? endOf(extents[last]) : 0, line: 1 });
  return Array.from({ length: n }, (_, k) => piecesBetween(cuts[k], cuts[k + 1], extents));
}

function piecesBetween(a: Cut, b: Cut, extents: Extent[]): CorpusPiece[] {
  const pieces: CorpusPiece[] = [];
  for (let u = a.unit; u <= b.unit && u < extents.length; u++) {
    const e = extents[u];
    const from = u === a.unit ? a.at : 0;
    const to = u === b.unit ? b.at : endOf(e);
    if (to <= from) continue;
    if (e.by === 'bytes') pieces.push({ unit: u, slice: { by: 'bytes', start: from, end: to, line: u === a.unit ? a.line : 1 } });
    else pieces.push({ unit: u, slice: { by: e.by, from, to } });
  }
  return pieces;
}

function endOf(e: Extent): number {
  return e.by === 'bytes' ? e.size : e.by === 'rowGroups' ? e.sizes.length : e.count;
}

function weightOf(e: Extent): number {
  return e.by === 'bytes' ? e.size : e.by === 'rowGroups' ? e.sizes.reduce((a, b) => a + b, 0) : e.weight;
}

async function extentOf(unit: CorpusUnit, spec: CorpusSpec): Promise<Extent> {
  if (unit.format === 'jsonl' && compressionOf(unit.path) === undefined) return { by: 'bytes', size: (await stat(unit.path)).size };
  if (unit.format === 'parquet') {
    // An unreadable footer is one reject item, like any other unit that cannot be cut.
    const sizes = await parquetRowGroups(unit.path).catch(() => null);
    if (sizes) return { by: 'rowGroups', sizes };
  }
  let count = 0;
  for await (const _ of readUnit(unit, spec)) count++;
  const info = unit.format === 'brown' ? null : await stat(unit.path);
  return { by: 'records', count, weight: info?.isFile() ? info.size : count };
}

/**
 * For each byte target (ascending), the first line start at or after it and that line's number,
 * in one pass over the file; a target past the last line start gives the file's end.
 */
async function lineStarts(path: string, targets: number[]): Promise<{ at: number; line: number }[]> {
  const out: { at: number; line: number }[] = [];
  let next = 0;
  const settle = (at: number, line: number) => {
    while (next < targets.length && targets[next] <= at) {
      out.push({ at, line });
      next++;
    }
  };
  // Line 1 starts at 0; line k + 1 starts after the k-th newline.
  settle(0, 1);
  let position = 0;
  let newlines = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let nl = chunk.indexOf(0x0a); nl !== -1 && next < targets.length; nl = chunk.indexOf(0x0a, nl + 1)) settle(position + nl + 1, ++newlines + 1);
    if (next === targets.length) break;
    position += chunk.length;
  }
  settle(Infinity, newlines + 1);
  const size = (await stat(path)).size;
  return out.map((s) => (s.at === Infinity ? { at: size, line: s.line } : s));
}
