// The data tap: the latest records crossing one edge, as table rows. Pausing closes the tap on the
// host (no more sampling cost) and keeps the rows on screen.
import type { HostEvents } from '../../../runtime/host/contract.js';
import { type DocEdge, edgeId, portOf } from '../model/doc.js';
import type { Deps, Get, Set } from './types.js';

export type TapRow = HostEvents['tap']['records'][number];
export const TAP_ROWS = 100;

export interface TapState {
  readonly edge: string;
  readonly tapId: number | null;
  readonly rows: readonly TapRow[];
  readonly paused: boolean;
  readonly seen: number;
}

export interface TapSlice {
  tap: TapState | null;
  openTap(edge: string): Promise<void>;
  closeTap(): Promise<void>;
  pauseTap(paused: boolean): Promise<void>;
  retapAfterStart(): void;
  onTap(t: HostEvents['tap']): void;
}

export function tapSlice(set: Set, get: Get, deps: Deps): TapSlice {
  const edgeRef = (id: string): DocEdge | undefined => get().doc.edges.find((e) => edgeId(e) === id);
  const attach = async () => {
    const tap = get().tap;
    const e = tap && edgeRef(tap.edge);
    if (!tap || !e || tap.paused || tap.tapId !== null || get().runStatus !== 'running' || !deps.host) return;
    let tapId: number;
    try {
      ({ tapId } = await deps.host.call('tapOpen', { edge: { from: e.from, fromPort: portOf.from(e), to: e.to, toPort: portOf.to(e) } }));
    } catch (err) {
      // An edge drawn after Run is not in the running job (or the job just ended): say so.
      get().notify(`cannot tap ${tap.edge.replace('->', ' → ')}: ${err instanceof Error ? err.message : String(err)}`, 'error');
      return;
    }
    if (get().tap?.edge === tap.edge && !get().tap?.paused) set({ tap: { ...get().tap!, tapId } });
    else await deps.host.call('tapClose', { tapId });
  };
  const detach = async () => {
    const id = get().tap?.tapId;
    if (id === null || id === undefined) return;
    set({ tap: { ...get().tap!, tapId: null } });
    await deps.host?.call('tapClose', { tapId: id }).catch(() => {});
  };
  return {
    tap: null,
    async openTap(edge) {
      if (get().tap?.edge === edge) return;
      await detach();
      set({ tap: { edge, tapId: null, rows: [], paused: false, seen: 0 }, selection: { nodes: [], edge } });
      await attach();
    },
    async closeTap() {
      await detach();
      set({ tap: null });
    },
    async pauseTap(paused) {
      const tap = get().tap;
      if (!tap || tap.paused === paused) return;
      if (paused) await detach();
      set({ tap: { ...get().tap!, paused } });
      if (!paused) await attach();
    },
    retapAfterStart() {
      const tap = get().tap;
      if (tap) set({ tap: { ...tap, tapId: null } });
      void attach();
    },
    onTap(t) {
      const tap = get().tap;
      if (!tap || tap.tapId !== t.tapId || tap.paused) return;
      const rows = [...tap.rows, ...t.records];
      set({ tap: { ...tap, seen: t.seen, rows: rows.length > TAP_ROWS ? rows.slice(rows.length - TAP_ROWS) : rows } });
      const fields = new Set<string>();
      for (const r of t.records) if (r.value && typeof r.value === 'object' && !Array.isArray(r.value)) for (const k of Object.keys(r.value)) fields.add(k);
      if (fields.size > 0) get().addSampled({ [tap.edge]: [...fields] });
    },
  };
}
