// Per-instance CPU figures come from Linux's /proc/thread-self/stat; anywhere that file is absent
// or laid out differently the figure is null, never a crash or NaN.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedThreadCpu, threadCpuMs } from '../../runtime/engine/parallel/thread-cpu.js';

describe('thread CPU time', () => {
  it.runIf(process.platform === 'linux')('reads this thread\'s CPU time, which grows with work', () => {
    const before = threadCpuMs()!;
    expect(before).toBeGreaterThanOrEqual(0);
    const until = performance.now() + 120;
    let x = 0;
    while (performance.now() < until) x += Math.sqrt(x + 1);
    expect(x).toBeGreaterThan(0);
    expect(threadCpuMs()!).toBeGreaterThan(before);
  });

  it('is null where the file is missing or not laid out as Linux lays it out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-thread-cpu-'));
    expect(threadCpuMs(join(dir, 'absent'))).toBeNull();
    for (const text of ['', 'garbage', '123 (node) R 1 2', '123 (node) R a b c d e f g h i j k l m n']) {
      writeFileSync(join(dir, 'stat'), text);
      expect(threadCpuMs(join(dir, 'stat'))).toBeNull();
    }
    expect(cachedThreadCpu(100)() === null || process.platform === 'linux').toBe(true);
  });
});
