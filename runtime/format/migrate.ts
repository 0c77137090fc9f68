// Pipeline files carry their format version; older files are upgraded step by step on load
// (the pattern of tldraw's versioned migrations). v1 is the first version, so the chain is empty
// today: the next format change adds `{ from: 1, up(doc) }` here and keeps old files working.
import { CURRENT_VERSION, FORMAT_PREFIX } from './envelope.js';

export interface Migration {
  /** Version this step upgrades from, to `from + 1`. */
  readonly from: number;
  readonly up: (doc: Record<string, unknown>) => Record<string, unknown>;
}

export const MIGRATIONS: readonly Migration[] = [];

export type MigrateResult =
  | { ok: true; doc: Record<string, unknown>; from: number }
  | { ok: false; message: string };

/** Only the exact spelling a version is written in: `v1`, never `v01`, `v1.0` or `v1 ` (Number() would take them). */
const VERSION = /^[1-9][0-9]{0,5}$/;

export function formatVersion(format: unknown): number | null {
  if (typeof format !== 'string' || !format.startsWith(FORMAT_PREFIX)) return null;
  const v = format.slice(FORMAT_PREFIX.length);
  return VERSION.test(v) ? Number(v) : null;
}

export function migrate(doc: Record<string, unknown>, migrations: readonly Migration[] = MIGRATIONS, target = CURRENT_VERSION): MigrateResult {
  const from = formatVersion(doc.format);
  if (from === null) {
    return { ok: false, message: `not a Tributary pipeline: "format" must be "${FORMAT_PREFIX}${target}", got ${JSON.stringify(doc.format)}` };
  }
  if (from > target) {
    return { ok: false, message: `written by a newer Tributary (format v${from}); this version reads up to v${target}` };
  }
  let out = doc;
  for (let v = from; v < target; v++) {
    const step = migrations.find((m) => m.from === v);
    if (!step) return { ok: false, message: `no migration from format v${v} to v${v + 1}` };
    out = { ...step.up(out), format: `${FORMAT_PREFIX}${v + 1}` };
  }
  return { ok: true, doc: out, from };
}
