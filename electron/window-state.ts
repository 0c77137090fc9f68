// The window comes back where the user left it: size, position, maximized or full screen. A
// position on a display that is no longer there (an unplugged monitor) is dropped, keeping the size,
// so the window never opens off-screen.
import type { Rectangle } from 'electron';
import { readJsonFile, writeJsonFile } from './json-file.js';
import type { DisplayLike, WindowLike } from './ports.js';

export interface WindowState {
  readonly x?: number;
  readonly y?: number;
  readonly width: number;
  readonly height: number;
  readonly maximized: boolean;
  readonly fullScreen: boolean;
}

export const DEFAULT_STATE: WindowState = { width: 1400, height: 900, maximized: false, fullScreen: false };
const MIN = { width: 640, height: 420 };
/** How much of the title bar must be on a display for a remembered position to count. */
const VISIBLE = { width: 120, height: 40 };

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : undefined;
}

function overlaps(a: Rectangle, b: Rectangle): boolean {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w >= VISIBLE.width && h >= VISIBLE.height;
}

/** A saved state made safe for the displays there are now. */
export function restoreState(saved: unknown, displays: readonly DisplayLike[]): WindowState {
  if (saved === null || typeof saved !== 'object') return DEFAULT_STATE;
  const s = saved as Record<string, unknown>;
  const largest = displays.reduce((m, d) => Math.max(m, d.workArea.width * d.workArea.height), 0);
  const area = displays.find((d) => d.workArea.width * d.workArea.height === largest)?.workArea;
  const clamp = (v: number | undefined, min: number, max: number | undefined, dflt: number) => Math.max(min, Math.min(v ?? dflt, max ?? Infinity));
  const width = clamp(num(s.width), MIN.width, area?.width, DEFAULT_STATE.width);
  const height = clamp(num(s.height), MIN.height, area?.height, DEFAULT_STATE.height);
  const x = num(s.x);
  const y = num(s.y);
  const state = { width, height, maximized: s.maximized === true, fullScreen: s.fullScreen === true };
  if (x === undefined || y === undefined) return state;
  // The title bar strip must be on some display, or the user could not grab the window.
  const titleBar = { x, y, width, height: VISIBLE.height };
  return displays.some((d) => overlaps(titleBar, d.workArea)) ? { ...state, x, y } : state;
}

/** What to remember of a window: its normal (not maximized) bounds and how it was shown. */
export function captureState(win: WindowLike): WindowState {
  const b = win.getNormalBounds();
  return { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized(), fullScreen: win.isFullScreen() };
}

export class WindowStateFile {
  constructor(private readonly file: string) {}

  async load(displays: readonly DisplayLike[]): Promise<WindowState> {
    return restoreState(await readJsonFile(this.file), displays);
  }

  save(state: WindowState): Promise<void> {
    return writeJsonFile(this.file, state).catch(() => undefined);
  }
}
