import { describe, expect, it } from 'vitest';
import { LiveProgress, renderProgress } from '../../runtime/cli/progress.js';
import { NodeMetrics } from '../../runtime/engine/metrics.js';
import { TableFormat } from '../../runtime/nodes/sink-console/format.js';

describe('progress table', () => {
  it('renders one aligned row per node with counts, rate, watermark and state', () => {
    const lines = renderProgress('demo', 1500, [
      { nodeId: 'clicks', type: 'source.generator', recordsIn: 0, recordsOut: 1_234_567, errors: 0, late: 0, watermark: Date.UTC(2026, 0, 1, 0, 2, 3), stateKeys: 0, stateBytes: 0, rate: 98765.4 },
      { nodeId: 'w', type: 'window', recordsIn: 10, recordsOut: 2, errors: 3, late: 4, watermark: -Infinity, stateKeys: 1200, stateBytes: 3 * 1024 * 1024, rate: 0 },
    ]);
    expect(lines[0]).toBe('demo  1.5s');
    expect(lines[1]).toMatch(/^node\s+type\s+in\s+out\s+rate\/s\s+errors\s+late\s+watermark\s+state$/);
    expect(lines[2]).toMatch(/^clicks\s+source\.generator\s+0\s+1,234,567\s+98,765\s+0\s+0\s+2026-01-01 00:02:03\.000\s+—$/);
    expect(lines[3]).toMatch(/^w\s+window\s+10\s+2\s+0\s+3\s+4\s+—\s+1,200 keys, 3\.0 MiB$/);
  });

  it('redraws in place on a terminal and prints once otherwise', () => {
    const m = new NodeMetrics('a', 'filter');
    const tty = { text: '', isTTY: true, write(s: string) { this.text += s; } };
    const p = new LiveProgress('t', () => [m], tty, 10);
    p.stop();
    m.recordsOut = 5;
    p.stop();
    expect(tty.text).toContain('\x1b[3F\x1b[J');
    const pipe = { text: '', isTTY: false, write(s: string) { this.text += s; } };
    const q = new LiveProgress('t', () => [m], pipe, 10);
    q.start();
    q.stop();
    expect(pipe.text).not.toContain('\x1b');
    expect(pipe.text.trim().split('\n')).toHaveLength(3);
  });
});

describe('console table format', () => {
  it('fixes columns from the first batch and aligns values', () => {
    const t = new TableFormat();
    const first = t.format([{ id: 'p1', n: 3, tags: ['a'] }], []);
    const later = t.format([{ id: 'p22', n: 10, extra: 1 }], []);
    expect(first).toBe('id  n  tags\n--  -  -----\np1  3  ["a"]\n');
    expect(later).toBe('p22  10\n');
    expect(t.format([{ id: 'x'.repeat(60) }], [])).toBe(`${'x'.repeat(39)}…\n`);
  });
});
