// The cep node's partial matches reach every reader of node figures: the progress table and
// Prometheus; its byte estimate is checked against the real heap.
import { describe, expect, it } from 'vitest';
import { renderProgress } from '../../runtime/cli/progress.js';
import { NodeMetrics, RateSampler } from '../../runtime/engine/metrics.js';
import { metricsRegistry } from '../../runtime/host/prometheus.js';
import { cepHarness, pushEvents, step } from '../support/cep.js';
import { heapProbe } from '../support/heap.js';

describe('partial matches in the node figures', () => {
  it('the sampler, the progress table and Prometheus show them for cep nodes only', async () => {
    const h = cepHarness({ pattern: [step('a', 'a'), step('b', 'b')] }, { keyed: true });
    pushEvents(h, [{ name: 'a1', key: 'k1', wmAfter: 1 }, { name: 'a2', key: 'k2', wmAfter: 2 }, { name: 'a3', key: 'k1', wmAfter: 3 }, { name: 'x', key: 'k1', wmAfter: 4 }]);
    const other = new NodeMetrics('f', 'filter');
    const [cep, filter] = new RateSampler().sample([h.metrics, other]);
    expect(cep).toMatchObject({ stateKeys: 2, partialMatches: 3 });
    expect(filter).not.toHaveProperty('partialMatches');
    const row = renderProgress('t', 0, [cep!, filter!])[2]!;
    expect(row).toMatch(/2 keys, [\d.]+ (B|KiB), 3 partial matches$/);
    const text = await metricsRegistry(() => [h.metrics, other]).metrics();
    expect(text).toContain('tributary_node_partial_matches{node="cep",type="cep"} 3');
    expect(text).not.toMatch(/tributary_node_partial_matches\{node="f"/);
  });

  it('the byte estimate is within 2x of the heap the state really takes', () => {
    // 20k events over 5k keys: each key starts a match with an `a`, then three `b`s grow it.
    const { heapBytes, value } = heapProbe<{ keys: number; bytes: number; partialMatches: number }>(`
      const { OPERATORS } = await import(dist('runtime/nodes/operators.js'));
      const { REGISTRY } = await import(dist('runtime/nodes/registry.js'));
      const { NodeMetrics } = await import(dist('runtime/engine/metrics.js'));
      const { ManualClock } = await import(dist('runtime/engine/clock.js'));
      const job = { fail(e) { throw e; }, block() {}, unblock() {}, sinkDone() {}, stopped: false, clock: new ManualClock() };
      const params = REGISTRY.get('cep').params.parse({ pattern: [{ name: 'a', where: "t == 'a'" }, { name: 'b', where: "t == 'b'", quantifier: { min: 1, max: null } }, { name: 'c', where: "t == 'c'" }] });
      const metrics = new NodeMetrics('p', 'cep');
      let op;
      await measure(() => {
        op = OPERATORS.cep({ nodeId: 'p', type: 'cep', job, metrics, inputKeyed: true, resolvePath: (x) => x, stdout: process.stdout }, params).operator;
        op.addInput();
        const recs = [], ts = [], keys = [], wm = [];
        for (let i = 0; i < 20000; i++) {
          recs.push({ t: i < 5000 ? 'a' : 'b', user: 'user-' + String(i % 5000).padStart(5, '0'), price: i * 1.5, note: 'x'.repeat(20) });
          ts.push(1e12 + i); keys.push('user-' + String(i % 5000).padStart(5, '0')); wm.push(1e12 + i - 1);
        }
        op.receive(0, { recs, ts, keys, wm, wmEnd: 1e12 + 20000 });
        return metrics.stateSize();
      });
      globalThis.keep = op;
    `);
    expect(value.keys).toBe(5000);
    expect(value.partialMatches).toBeGreaterThan(10_000);
    const ratio = value.bytes / heapBytes;
    expect(ratio, `reported ${value.bytes} B, heap grew ${heapBytes} B`).toBeGreaterThan(0.5);
    expect(ratio, `reported ${value.bytes} B, heap grew ${heapBytes} B`).toBeLessThan(2);
  });
});
