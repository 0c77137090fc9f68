// The two shipped cart-abandonment pipelines on input the built-in clickstream rarely produces:
// timestamps on whole minutes (so ties and adds exactly 15 minutes apart are common), events out
// of order, and watermarks that make some of them late. The cep node and the process-node
// variant must raise the same alerts on every stream.
import { describe, expect, it } from 'vitest';
import { OperatorHarness } from '../support/harness.js';
import { examplePipelines } from '../support/pipelines.js';

const MIN = 60_000;
const WINDOW = 15 * MIN;

interface Click {
  userId: string;
  eventType: string;
  price: number;
  quantity: number;
  productId: string;
  category: string;
  ts: number;
  /** Watermark after this event. */
  wm?: number;
}

function params(file: string, type: string): Record<string, unknown> {
  const doc = examplePipelines().find((p) => p.file === file)!.doc as { nodes: { type: string; params: Record<string, unknown> }[] };
  return doc.nodes.find((n) => n.type === type)!.params;
}

const CEP = params('cart-abandonment.json', 'cep');
const PROCESS = params('cart-abandonment-process.json', 'process');

function alerts(type: string, p: Record<string, unknown>, clicks: Click[]): string[] {
  const h = new OperatorHarness(type, p, { keyed: true, connect: ['out'] });
  h.push(clicks.map((c) => ({ value: c, ts: c.ts, key: c.userId, wmAfter: c.wm })));
  h.watermark(Infinity).end();
  return h
    .outValues()
    .map((a) => JSON.stringify(a))
    .sort();
}

const click = (eventType: string, ts: number, wm?: number, userId = 'u1'): Click => ({ userId, eventType, price: 120, quantity: 1, productId: `p${ts}`, category: 'toys', ts, wm });
const add = (ts: number, wm?: number, userId?: string) => click('ADD_TO_CART', ts, wm, userId);
const buy = (ts: number, wm?: number, userId?: string) => click('PURCHASE', ts, wm, userId);
const addedAt = (type: string, p: Record<string, unknown>, clicks: Click[]) => alerts(type, p, clicks)
    .map((a) => (JSON.parse(a) as { addedAt: number }).addedAt / MIN)
    .sort((x, y) => x - y);

describe('cart abandonment: the cep and process variants agree', () => {
  it('a late purchase is dropped by both: it settles no add, not even one made after it', () => {
    const clicks = [add(10 * MIN, 11 * MIN), buy(5 * MIN), add(20 * MIN, 21 * MIN), buy(19 * MIN)];
    expect(addedAt('cep', CEP, clicks)).toEqual([10, 20]);
    expect(addedAt('process', PROCESS, clicks)).toEqual([10, 20]);
  });

  it('a late add is dropped by both', () => {
    const clicks = [buy(0, 10 * MIN), add(MIN)];
    expect(addedAt('cep', CEP, clicks)).toEqual([]);
    expect(addedAt('process', PROCESS, clicks)).toEqual([]);
  });

  it('an add exactly 15 minutes after a settled one still gets its alert', () => {
    // The first add's expiry and the second add share a time: one timer per key and time.
    const clicks = [add(0), add(WINDOW), buy(MIN)];
    expect(addedAt('cep', CEP, clicks)).toEqual([15]);
    expect(addedAt('process', PROCESS, clicks)).toEqual([15]);
  });

  it('a purchase exactly 15 minutes after the add comes too late for it, and ties go by arrival order', () => {
    expect(addedAt('cep', CEP, [add(0), buy(WINDOW)])).toEqual([0]);
    expect(addedAt('cep', CEP, [buy(5 * MIN), add(5 * MIN)])).toEqual([5]);
    expect(addedAt('cep', CEP, [add(5 * MIN), buy(5 * MIN)])).toEqual([]);
    for (const clicks of [[add(0), buy(WINDOW)], [buy(5 * MIN), add(5 * MIN)], [add(5 * MIN), buy(5 * MIN)]]) {
      expect(alerts('process', PROCESS, clicks)).toEqual(alerts('cep', CEP, clicks));
    }
  });

  it('on 400 random streams with ties, exact 15-minute gaps, disorder and late events', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let late = 0;
    let alerted = 0;
    for (let run = 0; run < 400; run++) {
      const clicks: Click[] = [];
      let maxTs = 0;
      let wm = -Infinity;
      for (let i = 0; i < 24; i++) {
        const ts = Math.floor(rand() * 60) * MIN;
        const user = `u${Math.floor(rand() * 3)}`;
        const type = rand() < 0.55 ? 'ADD_TO_CART' : rand() < 0.8 ? 'PURCHASE' : 'VIEW';
        const c = click(type, ts, undefined, user);
        if (ts <= wm) late++;
        maxTs = Math.max(maxTs, ts);
        if (rand() < 0.3) {
          wm = Math.max(wm, maxTs - Math.floor(rand() * 10) * MIN);
          c.wm = wm;
        }
        clicks.push(c);
      }
      const fromCep = alerts('cep', CEP, clicks);
      alerted += fromCep.length;
      expect(alerts('process', PROCESS, clicks), JSON.stringify(clicks)).toEqual(fromCep);
    }
    // The streams exercise what they are meant to.
    expect(late).toBeGreaterThan(100);
    expect(alerted).toBeGreaterThan(400);
  });
});
