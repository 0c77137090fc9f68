// The editor's frame: how wide the palette and inspector are, how tall the bottom panel is, and
// which of them (and the minimap) are shown. Plain data with clamped updates; the frame keeps it
// in localStorage so a person's layout survives a reload.

export interface Panes {
  readonly palette: number;
  readonly inspector: number;
  readonly bottom: number;
  readonly showPalette: boolean;
  readonly showInspector: boolean;
  readonly showBottom: boolean;
  readonly showMinimap: boolean;
}

export type PaneSize = 'palette' | 'inspector' | 'bottom';
export type PaneToggle = 'showPalette' | 'showInspector' | 'showBottom' | 'showMinimap';

export const DEFAULT_PANES: Panes = { palette: 200, inspector: 360, bottom: 200, showPalette: true, showInspector: true, showBottom: true, showMinimap: true };

/** Smallest and largest sizes, px: a pane never squeezes the canvas out. */
export const LIMITS: Readonly<Record<PaneSize, readonly [number, number]>> = { palette: [140, 420], inspector: [260, 900], bottom: [90, 600] };

export function resize(p: Panes, which: PaneSize, size: number): Panes {
  const [lo, hi] = LIMITS[which];
  const v = Math.round(Math.min(hi, Math.max(lo, size)));
  return v === p[which] ? p : { ...p, [which]: v };
}

export function toggle(p: Panes, which: PaneToggle): Panes {
  return { ...p, [which]: !p[which] };
}

/** Read a stored layout, keeping only what is well-formed (a stale or hand-edited entry cannot break the frame). */
export function loadPanes(text: string | null): Panes {
  let raw: unknown = null;
  try {
    raw = text === null ? null : JSON.parse(text);
  } catch {
    return DEFAULT_PANES;
  }
  if (raw === null || typeof raw !== 'object') return DEFAULT_PANES;
  const r = raw as Record<string, unknown>;
  let p = DEFAULT_PANES;
  for (const k of ['palette', 'inspector', 'bottom'] as const) if (typeof r[k] === 'number' && Number.isFinite(r[k])) p = resize(p, k, r[k] as number);
  for (const k of ['showPalette', 'showInspector', 'showBottom', 'showMinimap'] as const) if (typeof r[k] === 'boolean') p = { ...p, [k]: r[k] };
  return p;
}

/** The frame's grid for these panes (columns: palette, canvas, inspector; rows: toolbar, canvas, bottom, status). */
export function gridTemplate(p: Panes, inspectorMin = 0): { columns: string; rows: string } {
  const inspector = p.showInspector ? Math.max(p.inspector, inspectorMin) : 0;
  return {
    columns: `${p.showPalette ? p.palette : 0}px minmax(0, 1fr) ${inspector}px`,
    rows: `42px minmax(0, 1fr) ${p.showBottom ? p.bottom : 30}px 26px`,
  };
}
