import { describe, expect, it } from 'vitest';
import { formatVersion, migrate } from '../../runtime/format/migrate.js';

describe('format versions and migrations', () => {
  it('reads the version from the format string', () => {
    expect(formatVersion('tributary.pipeline/v1')).toBe(1);
    expect(formatVersion('tributary.pipeline/v12')).toBe(12);
    expect(formatVersion('tributary.pipeline/vX')).toBeNull();
    expect(formatVersion(1)).toBeNull();
  });

  it('passes a current document through untouched', () => {
    const doc = { format: 'tributary.pipeline/v1', nodes: [] };
    expect(migrate(doc)).toEqual({ ok: true, doc, from: 1 });
  });

  it('runs each step in order up to the target version', () => {
    const steps = [
      { from: 1, up: (d: Record<string, unknown>) => ({ ...d, steps: ['1→2'] }) },
      { from: 2, up: (d: Record<string, unknown>) => ({ ...d, steps: [...(d.steps as string[]), '2→3'] }) },
    ];
    const r = migrate({ format: 'tributary.pipeline/v1', nodes: [] }, steps, 3);
    expect(r).toEqual({ ok: true, from: 1, doc: { format: 'tributary.pipeline/v3', nodes: [], steps: ['1→2', '2→3'] } });
  });

  it('says so when a step is missing', () => {
    expect(migrate({ format: 'tributary.pipeline/v1' }, [], 2)).toEqual({ ok: false, message: 'no migration from format v1 to v2' });
  });
});
