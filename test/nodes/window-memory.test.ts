// The window node's reported state size must be within 2× of what the heap really holds
// (issue: state backend metrics), measured in a fresh process with fresh key strings.
import { describe, expect, it } from 'vitest';
import { heapProbe } from '../support/heap.js';

function probe(aggregates: object, keys: number, assigner: object = { kind: 'tumbling', size: 60_000 }, prefix = 'user-', width = 7) {
  return heapProbe<{ keys: number; bytes: number }>(`
    const { OPERATORS } = await import(dist('runtime/nodes/operators.js'));
    const { REGISTRY } = await import(dist('runtime/nodes/registry.js'));
    const { NodeMetrics } = await import(dist('runtime/engine/metrics.js'));
    const { ManualClock } = await import(dist('runtime/engine/clock.js'));
    const job = { fail(e) { throw e; }, block() {}, unblock() {}, sinkDone() {}, stopped: false, clock: new ManualClock() };
    const metrics = new NodeMetrics('w', 'window');
    const params = REGISTRY.get('window').params.parse({ assigner: ${JSON.stringify(assigner)}, aggregates: ${JSON.stringify(aggregates)} });
    let op;
    await measure(() => {
      op = OPERATORS.window({ nodeId: 'w', type: 'window', job, metrics, inputKeyed: true, resolvePath: (p) => p, stdout: process.stdout }, params).operator;
      op.addInput();
      const N = ${keys};
      for (let b = 0; b < N; b += 4096) {
        const n = Math.min(4096, N - b);
        const recs = [], ts = [], ks = [];
        for (let i = 0; i < n; i++) {
          recs.push({ price: 1.5, productId: 'p' + ((b + i) % 977) });
          ts.push(1000);
          ks.push(${JSON.stringify(prefix)} + String(b + i).padStart(${width}, '0'));
        }
        op.receive(0, { recs, ts, keys: ks, wm: null, wmEnd: 0 });
      }
      return metrics.stateSize();
    });
    globalThis.keep = op;
  `);
}

describe('window state size against the real heap', () => {
  for (const [label, aggs] of [
    ['a counter', { n: { fn: 'count' } }],
    ['count + sum + avg', { n: { fn: 'count' }, s: { fn: 'sum', field: 'price' }, a: { fn: 'avg', field: 'price' } }],
    ['last + countDistinct', { l: { fn: 'last', field: 'productId' }, d: { fn: 'countDistinct', field: 'productId' } }],
  ] as const) {
    it(`reports ${label} within 2× of the heap`, () => {
      const { heapBytes, value } = probe(aggs, 200_000);
      expect(value.keys).toBe(200_000);
      const ratio = value.bytes / heapBytes;
      expect(ratio, `reported ${value.bytes} B, heap grew ${heapBytes} B`).toBeGreaterThan(0.5);
      expect(ratio, `reported ${value.bytes} B, heap grew ${heapBytes} B`).toBeLessThan(2);
    });
  }

  it('keeps a counter at or under 64 bytes per key, key string included', () => {
    // Keys shaped like the generator's user ids ('u00042'), as in the benchmark.
    const { value } = probe({ n: { fn: 'count' } }, 100_000, undefined, 'u', 6);
    expect(value.bytes / value.keys).toBeLessThanOrEqual(64);
  });

  it('reports session state within 2× of the heap', () => {
    const { heapBytes, value } = probe({ n: { fn: 'count' }, s: { fn: 'sum', field: 'price' } }, 100_000, { kind: 'session', gap: 1000 });
    const ratio = value.bytes / heapBytes;
    expect(ratio, `reported ${value.bytes} B, heap grew ${heapBytes} B`).toBeGreaterThan(0.5);
    expect(ratio, `reported ${value.bytes} B, heap grew ${heapBytes} B`).toBeLessThan(2);
  });
});
