// The cep node's event buffer: records wait there until the watermark passes them and come out in
// timestamp order, ties in arrival order (Flink's CepOperator sorts its elementQueueState).
import { describe, expect, it } from 'vitest';
import { EventBuffer } from '../../runtime/nodes/cep/event-buffer.js';

describe('event buffer (records waiting for the watermark)', () => {
  it('hands out exactly the records up to the watermark, in timestamp order, ties in arrival order', () => {
    let seed = 3;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const b = new EventBuffer();
    let waiting: { ts: number; i: number }[] = [];
    let wm = 0;
    let newest = 1;
    const drain = (upTo: number) => {
      const out: { ts: number; i: number }[] = [];
      while (b.next(upTo)) out.push({ ts: b.outTs, i: b.outRec as number });
      const expected = waiting.filter((w) => w.ts <= upTo).sort((x, y) => x.ts - y.ts || x.i - y.i);
      waiting = waiting.filter((w) => w.ts > upTo);
      expect(out).toEqual(expected);
    };
    for (let i = 0; i < 5000; i++) {
      // Mostly in order with many ties; one in five behind the newest (never behind the watermark).
      newest = Math.max(newest, wm + 1) + (rnd() < 0.5 ? 0 : 1);
      const ts = rnd() < 0.8 ? newest : wm + 1 + Math.floor(rnd() * (newest - wm));
      b.push(ts, null, i);
      waiting.push({ ts, i });
      if (rnd() < 0.1) drain((wm += Math.floor(rnd() * 30)));
    }
    drain(Infinity);
    expect(b.size).toBe(0);
  });

  it('drains exactly like sorting when the watermark jumps to the end', () => {
    const b = new EventBuffer();
    const ts = [5, 3, 5, 9, 1, 9, 9, 2, 7, 5];
    ts.forEach((t, i) => b.push(t, null, i));
    const out: number[] = [];
    while (b.next(Infinity)) out.push(b.outRec as number);
    expect(out).toEqual(ts.map((t, i) => ({ t, i })).sort((x, y) => x.t - y.t || x.i - y.i).map((x) => x.i));
  });
});
