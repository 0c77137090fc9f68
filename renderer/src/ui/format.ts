// How figures read on screen.
import type { WireWatermark } from '../../../runtime/host/contract.js';

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function rate(n: number | undefined): string {
  if (n === undefined) return '—';
  return n >= 10_000 ? compact.format(n) : whole.format(n);
}

export function count(n: number | undefined): string {
  return n === undefined ? '—' : n >= 100_000 ? compact.format(n) : whole.format(n);
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function watermark(wm: WireWatermark | undefined): string {
  if (wm === undefined || wm === null) return '—';
  if (wm === 'end') return 'end';
  const d = new Date(wm);
  return Number.isNaN(d.getTime()) ? String(wm) : d.toISOString().slice(11, 19);
}

/** A watermark as a date-time (UTC, to the second): `2026-01-01 00:01:02`. */
export function watermarkTime(wm: WireWatermark | undefined): string {
  if (wm === undefined || wm === null) return '—';
  if (wm === 'end') return 'end of input';
  const d = new Date(wm);
  return Number.isNaN(d.getTime()) ? String(wm) : d.toISOString().slice(0, 19).replace('T', ' ');
}

/** A span of time, short: 850 ms, 12 s, 4.5 min, 3.2 h, 339 d. */
export function lag(ms: number): string {
  const a = Math.abs(ms);
  const sign = ms < 0 ? '−' : '';
  if (a < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(a < 10_000 ? 1 : 0)} s`;
  if (a < 3_600_000) return `${sign}${(a / 60_000).toFixed(1)} min`;
  if (a < 86_400_000) return `${sign}${(a / 3_600_000).toFixed(1)} h`;
  return `${sign}${Math.round(a / 86_400_000)} d`;
}

/** A record's timestamp as a time of day (UTC, ms); one outside what Date holds (nanoseconds
 * taken for milliseconds, say) as the number it is. */
export function clockTime(ts: number | null): string {
  const d = new Date(ts ?? Number.NaN);
  return Number.isNaN(d.getTime()) ? String(ts) : d.toISOString().slice(11, 23);
}

export function uptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

const twoDigits = new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: 2 });

/** Two significant digits: what a node shows when zoomed far out. */
export function compactRate(n: number): string {
  return twoDigits.format(n);
}
