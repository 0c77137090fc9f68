// The figures the host streams stay small however big a failed record or its message is: run
// problems carry at most RECENT_ERRORS failures per node, each message and record clipped.
import { describe, expect, it } from 'vitest';
import type { Job } from '../../runtime/engine/job.js';
import { NodeMetrics, RECENT_ERRORS } from '../../runtime/engine/metrics.js';
import { FigureSampler } from '../../runtime/host/figures.js';

describe('figures: recent errors', () => {
  it('keeps the latest few failures per node with message and record bounded', () => {
    const m = new NodeMetrics('post', 'sink.http');
    const huge = 'x'.repeat(100_000);
    for (let i = 0; i < 50; i++) {
      m.errors++;
      m.noteError(`HTTP 500: ${huge}`, { i, body: huge });
    }
    const sampler = new FigureSampler({ metrics: [m], edges: new Map() } as unknown as Job, 1);
    const fig = sampler.sample().nodes[0]!;
    expect(fig.errors).toBe(50);
    expect(fig.recentErrors).toHaveLength(RECENT_ERRORS);
    expect(fig.recentErrors!.at(-1)!.record).toMatch(/^\{"i":49,/);
    expect(JSON.stringify(fig).length).toBeLessThan(RECENT_ERRORS * 1000);
  });
});
