// Window state split and merged by key (rescale.ts), on the binary snapshot layouts of panes.ts
// (v3), sessions.ts (v2) and count.ts (v2). Every row belongs to one key, so a new instance's
// state is the rows of its keys from the old instances' snapshots. `arrivals` numbers arrivals for
// first/last: the largest of the parts, so later arrivals still come after every saved one.
import type { KeyColumn } from '../../nodes/window/columns.js';
import { concatRows, encodeKeys, keptKeys, pickRows } from './rows.js';

type Keep = (key: unknown) => boolean;

interface PaneV3 {
  readonly start: number;
  readonly fired: boolean;
  readonly keys: KeyColumn;
  readonly cols: unknown[];
}

function maxArrivals(parts: readonly { arrivals: number }[]): number {
  return Math.max(0, ...parts.map((p) => p.arrivals));
}

export function rekeyPanes(parts: readonly unknown[], keep: Keep): unknown {
  const ps = parts as { panes: PaneV3[]; arrivals: number }[];
  const byStart = new Map<number, { fired: boolean; keys: unknown[][]; cols: unknown[][] }>();
  for (const part of ps) {
    for (const pane of part.panes) {
      const { keys, idx } = keptKeys(pane.keys, keep);
      if (keys.length === 0) continue;
      let at = byStart.get(pane.start);
      if (!at) byStart.set(pane.start, (at = { fired: pane.fired, keys: [], cols: [] }));
      at.keys.push(keys);
      at.cols.push(pane.cols.map((c) => pickRows(c, idx)));
    }
  }
  const panes = [...byStart.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([start, p]) => ({ start, fired: p.fired, keys: encodeKeys(p.keys.flat(1)), cols: p.cols[0]!.map((_, a) => concatRows(p.cols.map((c) => c[a]))) }));
  return { panes, arrivals: maxArrivals(ps) };
}

const SESSION_COLUMNS = ['start', 'end', 'fired', 'fireSeq', 'cleanSeq'] as const;

export function rekeySessions(parts: readonly unknown[], keep: Keep): unknown {
  type S = { keys: KeyColumn; counts: Uint32Array; cols: unknown[]; arrivals: number } & Record<(typeof SESSION_COLUMNS)[number], ArrayLike<number>>;
  const ps = parts as S[];
  const keys: unknown[] = [];
  const counts: number[] = [];
  const picked: S[] = [];
  for (const part of ps) {
    const { keys: kept, idx } = keptKeys(part.keys, keep);
    const offsets = new Array<number>(part.counts.length);
    for (let k = 0, at = 0; k < part.counts.length; k++) {
      offsets[k] = at;
      at += part.counts[k]!;
    }
    const rows: number[] = [];
    for (const k of idx) {
      counts.push(part.counts[k]!);
      for (let j = 0; j < part.counts[k]!; j++) rows.push(offsets[k]! + j);
    }
    keys.push(...kept);
    const cols = Object.fromEntries(SESSION_COLUMNS.map((c) => [c, pickRows(part[c], rows)])) as Record<(typeof SESSION_COLUMNS)[number], ArrayLike<number>>;
    picked.push({ ...part, ...cols, cols: part.cols.map((c) => pickRows(c, rows)) });
  }
  const merged = Object.fromEntries(SESSION_COLUMNS.map((c) => [c, concatRows(picked.map((p) => p[c]))]));
  return { keys: encodeKeys(keys), counts: Uint32Array.from(counts), ...merged, cols: ps[0]!.cols.map((_, a) => concatRows(picked.map((p) => p.cols[a]))), arrivals: maxArrivals(ps) };
}

export function rekeyCount(parts: readonly unknown[], keep: Keep): unknown {
  const ps = parts as { keys: KeyColumn; n: Float64Array; maxTs: Float64Array; cols: unknown[]; arrivals: number }[];
  const keys: unknown[] = [];
  const picked = ps.map((part) => {
    const { keys: kept, idx } = keptKeys(part.keys, keep);
    keys.push(...kept);
    return { n: pickRows(part.n, idx), maxTs: pickRows(part.maxTs, idx), cols: part.cols.map((c) => pickRows(c, idx)) };
  });
  return {
    keys: encodeKeys(keys),
    n: concatRows(picked.map((p) => p.n)),
    maxTs: concatRows(picked.map((p) => p.maxTs)),
    cols: ps[0]!.cols.map((_, a) => concatRows(picked.map((p) => p.cols[a]))),
    arrivals: maxArrivals(ps),
  };
}
