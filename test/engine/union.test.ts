import { describe, expect, it } from 'vitest';
import { OperatorHarness } from '../support/harness.js';

describe('union watermarks (Flink StatusWatermarkValve: minimum over active inputs)', () => {
  it('holds the watermark at the slowest input', () => {
    const h = new OperatorHarness('union', {}, { inputs: 2 });
    h.watermark(100, 0);
    expect(h.watermarksOut()).toEqual([]); // input 1 is still at -∞
    h.watermark(40, 1);
    expect(h.watermarksOut()).toEqual([40]);
    h.watermark(300, 1);
    expect(h.watermarksOut()).toEqual([40, 100]);
  });

  it('recomputes the per-record watermark against the other inputs', () => {
    const h = new OperatorHarness('union', {}, { inputs: 2 });
    h.watermark(25, 1);
    h.push(
      [
        { value: { a: 1 }, ts: 10, wmAfter: 10 },
        { value: { a: 2 }, ts: 20, wmAfter: 20 },
        { value: { a: 3 }, ts: 30, wmAfter: 30 },
      ],
      0,
    );
    expect(h.output().map((o) => [o.ts, o.wm])).toEqual([
      [10, -Infinity],
      [20, 10],
      [30, 20],
    ]);
    expect(h.watermarksOut()).toEqual([25]);
  });

  it('an idle input stops holding the others back', () => {
    const h = new OperatorHarness('union', {}, { inputs: 2 });
    h.watermark(100, 0);
    h.idle(true, 1);
    expect(h.watermarksOut()).toEqual([100]);
  });

  it('when every input goes idle, the output reaches the highest watermark whatever the order', () => {
    for (const order of [[0, 1], [1, 0]]) {
      const h = new OperatorHarness('union', {}, { inputs: 2 });
      h.watermark(100, 0).watermark(50, 1);
      for (const i of order) h.idle(true, i);
      expect(h.watermarksOut()).toEqual([50, 100]);
      expect(h.idleOut()).toEqual([true]);
    }
  });

  it('an ended input stops holding the others back; the end is forwarded once all end', () => {
    const h = new OperatorHarness('union', {}, { inputs: 2 });
    h.watermark(100, 0);
    h.end(1);
    expect(h.watermarksOut()).toEqual([100]);
    expect(h.ended()).toBe(false);
    h.end(0);
    expect(h.ended()).toBe(true);
  });

  it('passes records of all inputs through', () => {
    const h = new OperatorHarness('union', {}, { inputs: 3 });
    h.values([{ i: 0 }], 0).values([{ i: 1 }], 1).values([{ i: 2 }], 2);
    expect(h.outValues()).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
  });
});
