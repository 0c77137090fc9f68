// sink.console on Flink: `tributary flink local` prints what `tributary run` prints (json: one
// object a line; table: the same header, rule and rows when the first record is the widest).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { flinkJar } from '../support/flink.js';
import { runCli } from '../support/cli.js';

const RECORDS = [
  { id: 1, name: 'Ünïcode "quoted"', n: 1.5, tags: ['a', 'b'], nested: { x: null } },
  { id: 2, name: 'plain', n: -0, big: 1e21, small: 1e-7 },
  { id: 3, name: 'x'.repeat(50), n: 10 },
  { id: 4, n: 3 },
];

function pipeline(dir: string, format: 'json' | 'table'): string {
  const input = join(dir, 'in.jsonl');
  writeFileSync(input, RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const file = join(dir, `${format}.json`);
  writeFileSync(file, JSON.stringify({
    format: 'tributary.pipeline/v1',
    name: `console-${format}`,
    nodes: [
      { id: 'src', type: 'source.file', params: { path: 'in.jsonl' } },
      // The embedded runtime's table takes its widths from the first batch, Flink's from the first
      // record: the table case keeps the widest record first so both agree.
      { id: 'f', type: 'filter', params: { condition: format === 'json' ? 'id != 4' : 'id <= 2' } },
      { id: 'print', type: 'sink.console', params: { format } },
    ],
    edges: [{ from: 'src', to: 'f' }, { from: 'f', to: 'print' }],
  }));
  return file;
}

describe('sink.console on Flink', () => {
  beforeAll(() => {
    flinkJar();
  }, 900_000);

  it('prints the same lines as the embedded runtime', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-flink-console-'));
    for (const format of ['json', 'table'] as const) {
      const file = pipeline(dir, format);
      const embedded = await runCli(['run', file, '-q']);
      const flink = await runCli(['flink', 'local', file], { timeout: 300_000 });
      expect(flink.code, flink.stderr).toBe(0);
      const lines = (s: string) => s.split('\n').filter((l) => l !== '');
      expect(lines(embedded.stdout)).toHaveLength(format === 'json' ? 3 : 4);
      expect(lines(flink.stdout), format).toEqual(lines(embedded.stdout));
    }
  }, 600_000);
});
