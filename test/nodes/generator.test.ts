import { describe, expect, it } from 'vitest';
import {
  ECOMMERCE_FIELDS,
  EcommerceGenerator,
  validateEcommerceOptions,
  type ClickEvent,
  type EcommerceOptions,
} from '../../runtime/nodes/source-generator/ecommerce.js';

const BASE: EcommerceOptions = {
  seed: 42,
  users: 5000,
  products: 1000,
  categories: 12,
  abandonment: 0.7,
  startTime: 1_700_000_000_000,
  eventTimeRate: 500,
  disorder: 2000,
};

function gen(n: number, over: Partial<EcommerceOptions> = {}): { recs: ClickEvent[]; ts: number[]; g: EcommerceGenerator } {
  const g = new EcommerceGenerator({ ...BASE, ...over });
  const recs: ClickEvent[] = [];
  const ts: number[] = [];
  g.fill(recs, ts, n);
  return { recs, ts, g };
}

interface SessionInfo {
  userId: string;
  device: string;
  first: number;
  last: number;
  added: boolean;
  purchased: boolean;
}

function sessions(recs: ClickEvent[]): Map<string, SessionInfo> {
  const m = new Map<string, SessionInfo>();
  for (const e of recs) {
    let s = m.get(e.sessionId);
    if (s === undefined) {
      s = { userId: e.userId, device: e.device, first: e.eventId, last: e.eventId, added: false, purchased: false };
      m.set(e.sessionId, s);
    }
    s.last = e.eventId;
    if (e.eventType === 'ADD_TO_CART') s.added = true;
    if (e.eventType === 'PURCHASE') s.purchased = true;
  }
  return m;
}

describe('EcommerceGenerator determinism', () => {
  it('same seed and options give identical events', () => {
    const a = gen(20_000);
    const b = gen(20_000);
    expect(b.recs).toEqual(a.recs);
    expect(b.ts).toEqual(a.ts);
    expect(b.g.catalogue).toEqual(a.g.catalogue);
  });

  it('different seeds give different events', () => {
    const a = gen(2000);
    const b = gen(2000, { seed: 43 });
    expect(b.recs).not.toEqual(a.recs);
    expect(b.g.catalogue).not.toEqual(a.g.catalogue);
  });

  it('split fills equal a single fill', () => {
    const whole = gen(30_000);
    const g = new EcommerceGenerator(BASE);
    const recs: ClickEvent[] = [];
    const ts: number[] = [];
    for (const n of [1, 0, 7, 4096, 333, 1, 10_000]) g.fill(recs, ts, n);
    g.fill(recs, ts, 30_000 - recs.length);
    expect(recs).toEqual(whole.recs);
    expect(ts).toEqual(whole.ts);
  });

  it('appends exactly n events and their timestamps to existing arrays', () => {
    const g = new EcommerceGenerator(BASE);
    const recs: ClickEvent[] = [];
    const ts: number[] = [-1];
    g.fill(recs, ts, 0);
    expect(recs.length).toBe(0);
    g.fill(recs, ts, 100);
    expect(recs.length).toBe(100);
    expect(ts.length).toBe(101);
    for (let i = 0; i < 100; i++) expect(ts[i + 1]).toBe(recs[i]!.ts);
  });
});

describe('validateEcommerceOptions', () => {
  it('accepts valid options', () => {
    expect(validateEcommerceOptions(BASE)).toBeNull();
    expect(validateEcommerceOptions({ ...BASE, concurrentSessions: 1, abandonment: 0, disorder: 0 })).toBeNull();
    expect(validateEcommerceOptions({ ...BASE, abandonment: 1, users: 1, products: 1, categories: 1 })).toBeNull();
  });

  it.each([
    ['seed', { seed: Number.NaN }],
    ['users', { users: 0 }],
    ['users', { users: 2.5 }],
    ['products', { products: 0 }],
    ['products', { products: 1e9 }],
    ['categories', { categories: 0 }],
    ['abandonment', { abandonment: -0.1 }],
    ['abandonment', { abandonment: 1.5 }],
    ['startTime', { startTime: Number.POSITIVE_INFINITY }],
    ['eventTimeRate', { eventTimeRate: 0 }],
    ['eventTimeRate', { eventTimeRate: -5 }],
    ['disorder', { disorder: -1 }],
    ['concurrentSessions', { concurrentSessions: 0 }],
    ['concurrentSessions', { concurrentSessions: 1.5 }],
  ] as const)('reports a bad %s', (field, over) => {
    const msg = validateEcommerceOptions({ ...BASE, ...over });
    expect(msg).toBeTypeOf('string');
    expect(msg).toContain(field);
    expect(() => new EcommerceGenerator({ ...BASE, ...over })).toThrow(field);
  });
});

describe('event shape', () => {
  const { recs, g } = gen(50_000);
  const byId = new Map(g.catalogue.map((p) => [p.productId, p]));

  it('every event has exactly the documented keys, in the same order, with the right types', () => {
    const names = ECOMMERCE_FIELDS.map((f) => f.name).join(',');
    expect(recs.find((e) => Object.keys(e).join(',') !== names)).toBeUndefined();
    for (const e of recs.slice(0, 2000)) {
      for (const f of ECOMMERCE_FIELDS) {
        expect(typeof (e as unknown as Record<string, unknown>)[f.name]).toBe(f.type);
      }
    }
  });

  it('ECOMMERCE_FIELDS covers exactly the ClickEvent keys with a one-line doc each', () => {
    const sample: ClickEvent = recs[0]!;
    expect(ECOMMERCE_FIELDS.map((f) => f.name).sort()).toEqual(Object.keys(sample).sort());
    expect(new Set(ECOMMERCE_FIELDS.map((f) => f.name)).size).toBe(ECOMMERCE_FIELDS.length);
    for (const f of ECOMMERCE_FIELDS) {
      expect(f.doc.length).toBeGreaterThan(10);
      expect(f.doc).not.toContain('\n');
      expect(['number', 'string']).toContain(f.type);
    }
  });

  it('ids, values and the catalogue agree', () => {
    const bad = recs.find((e, i) => {
      const p = byId.get(e.productId);
      return (
        e.eventId !== i + 1 ||
        !Number.isInteger(e.ts) ||
        !/^u\d{5}$/.test(e.userId) ||
        !/^p\d{4}$/.test(e.productId) ||
        !e.sessionId.startsWith(e.userId + '-s') ||
        !/^u\d{5}-s\d+$/.test(e.sessionId) ||
        !['mobile', 'desktop', 'tablet'].includes(e.device) ||
        !Number.isInteger(e.quantity) ||
        e.quantity < 1 ||
        ((e.eventType === 'VIEW' || e.eventType === 'CLICK') && e.quantity !== 1) ||
        p === undefined ||
        e.category !== p.category ||
        e.price !== p.price
      );
    });
    expect(bad).toBeUndefined();
  });

  it('a session keeps its user and device', () => {
    const seen = new Map<string, string>();
    let mismatches = 0;
    for (const e of recs) {
      const key = e.userId + '|' + e.device;
      const prev = seen.get(e.sessionId);
      if (prev === undefined) seen.set(e.sessionId, key);
      else if (prev !== key) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('builds a realistic catalogue', () => {
    const cat = g.catalogue;
    expect(cat.length).toBe(BASE.products);
    const bad = cat.find(
      (p, i) => p.productId !== 'p' + String(i).padStart(4, '0') || p.price < 0.99 || Math.round(p.price * 100) / 100 !== p.price,
    );
    expect(bad).toBeUndefined();
    const cats = new Set(cat.map((p) => p.category));
    expect(cats.size).toBe(BASE.categories);
    expect(cats.has('electronics')).toBe(true);
    expect(cats.has('books')).toBe(true);
    // Prices depend on the category.
    const mean = (c: string): number => {
      const ps = cat.filter((p) => p.category === c).map((p) => p.price);
      return ps.reduce((a, b) => a + b, 0) / ps.length;
    };
    expect(mean('electronics')).toBeGreaterThan(3 * mean('grocery'));
  });

  it('pads ids to the width of the counts and suffixes categories beyond the name list', () => {
    const g2 = new EcommerceGenerator({ ...BASE, users: 123_456, products: 12_345, categories: 45 });
    expect(g2.catalogue[0]!.productId).toBe('p00000');
    expect(g2.catalogue[12_344]!.productId).toBe('p12344');
    const recs2: ClickEvent[] = [];
    g2.fill(recs2, [], 1000);
    expect(recs2.find((e) => !/^u\d{6}$/.test(e.userId) || !/^p\d{5}$/.test(e.productId))).toBeUndefined();
    const names = new Set(g2.catalogue.map((p) => p.category));
    expect(names.size).toBe(45);
    expect(names.has('electronics-2')).toBe(true);
    expect(names.has('electronics-3')).toBe(true);

    const tiny = new EcommerceGenerator({ ...BASE, users: 1, products: 1, categories: 1, concurrentSessions: 1 });
    const r: ClickEvent[] = [];
    tiny.fill(r, [], 200);
    expect(tiny.catalogue[0]!.productId).toBe('p0000');
    expect(r.find((e) => e.userId !== 'u00000' || e.productId !== 'p0000')).toBeUndefined();
  });
});

describe('behaviour', () => {
  it('has a plausible event-type mix', () => {
    const { recs } = gen(100_000);
    const counts: Record<string, number> = {};
    for (const e of recs) counts[e.eventType] = (counts[e.eventType] ?? 0) + 1;
    for (const t of ['VIEW', 'CLICK', 'ADD_TO_CART', 'REMOVE_FROM_CART', 'PURCHASE']) {
      expect(counts[t] ?? 0).toBeGreaterThan(0);
    }
    const max = Math.max(...Object.values(counts));
    expect(counts.VIEW).toBe(max);
    const clickShare = counts.CLICK! / (counts.CLICK! + counts.VIEW!);
    expect(clickShare).toBeGreaterThan(0.2);
    expect(clickShare).toBeLessThan(0.4);
  });

  it.each([0.2, 0.8])('abandons about %s of cart sessions', (abandonment) => {
    const n = 300_000;
    const { recs } = gen(n, { abandonment, concurrentSessions: 200 });
    let carts = 0;
    let abandoned = 0;
    for (const s of sessions(recs).values()) {
      if (s.last > n - 20_000) continue; // may still be running
      if (!s.added) continue;
      carts++;
      if (!s.purchased) abandoned++;
    }
    expect(carts).toBeGreaterThan(2000);
    expect(Math.abs(abandoned / carts - abandonment)).toBeLessThan(0.05);
  });

  it('abandonment 0 means every cart is bought, 1 means none is', () => {
    for (const abandonment of [0, 1]) {
      const n = 60_000;
      const { recs } = gen(n, { abandonment, concurrentSessions: 100 });
      let carts = 0;
      let bought = 0;
      for (const s of sessions(recs).values()) {
        if (s.last > n - 10_000 || !s.added) continue;
        carts++;
        if (s.purchased) bought++;
      }
      expect(carts).toBeGreaterThan(100);
      expect(bought).toBe(abandonment === 0 ? carts : 0);
    }
  });

  it('session lengths vary', () => {
    const n = 100_000;
    const { recs } = gen(n, { concurrentSessions: 100 });
    const lengths = new Map<string, number>();
    for (const e of recs) lengths.set(e.sessionId, (lengths.get(e.sessionId) ?? 0) + 1);
    const ended = [...sessions(recs)].filter(([, s]) => s.last <= n - 10_000).map(([id]) => lengths.get(id)!);
    expect(Math.min(...ended)).toBeLessThanOrEqual(4);
    expect(Math.max(...ended)).toBeGreaterThanOrEqual(30);
  });

  it('carts are causal: ADD_TO_CART follows a VIEW of the product, PURCHASE lines match the cart', () => {
    const { recs } = gen(100_000);
    const last = new Map<string, ClickEvent>();
    const carts = new Map<string, Map<string, number>>();
    const errors: string[] = [];
    let purchases = 0;
    let removes = 0;
    for (const e of recs) {
      const prev = last.get(e.sessionId);
      let cart = carts.get(e.sessionId);
      if (cart === undefined) carts.set(e.sessionId, (cart = new Map()));
      switch (e.eventType) {
        case 'ADD_TO_CART':
          if (prev?.eventType !== 'VIEW' || prev.productId !== e.productId) errors.push(`add without view: ${e.eventId}`);
          if (e.quantity > 3) errors.push(`add quantity: ${e.eventId}`);
          cart.set(e.productId, (cart.get(e.productId) ?? 0) + e.quantity);
          break;
        case 'REMOVE_FROM_CART': {
          removes++;
          const have = cart.get(e.productId) ?? 0;
          if (have < e.quantity) errors.push(`remove more than in cart: ${e.eventId}`);
          if (have === e.quantity) cart.delete(e.productId);
          else cart.set(e.productId, have - e.quantity);
          break;
        }
        case 'PURCHASE':
          purchases++;
          if (cart.get(e.productId) !== e.quantity) errors.push(`purchase does not match cart: ${e.eventId}`);
          break;
        default:
          if (prev?.eventType === 'PURCHASE') errors.push(`browsing after purchase: ${e.eventId}`);
      }
      // A click leads to a view of the clicked product.
      if (prev?.eventType === 'CLICK' && (e.eventType !== 'VIEW' || e.productId !== prev.productId)) {
        errors.push(`click not followed by its view: ${e.eventId}`);
      }
      last.set(e.sessionId, e);
    }
    expect(errors.slice(0, 5)).toEqual([]);
    expect(purchases).toBeGreaterThan(100);
    expect(removes).toBeGreaterThan(10);
  });

  it('PURCHASE only happens after ADD_TO_CART in the same session', () => {
    const { recs } = gen(100_000);
    const added = new Set<string>();
    let orphans = 0;
    for (const e of recs) {
      if (e.eventType === 'ADD_TO_CART') added.add(e.sessionId);
      if (e.eventType === 'PURCHASE' && !added.has(e.sessionId)) orphans++;
    }
    expect(orphans).toBe(0);
  });

  it('respects the disorder bound and leaves some events out of order', () => {
    const disorder = 2000;
    const { recs, ts } = gen(100_000, { disorder });
    let max = -Infinity;
    let late = 0;
    let tooLate = 0;
    let early = 0;
    for (const t of ts) {
      if (t < max) late++;
      if (t > max) max = t;
      if (t < max - disorder) tooLate++;
      if (t < BASE.startTime) early++;
    }
    expect(tooLate).toBe(0);
    expect(early).toBe(0);
    expect(late).toBeGreaterThan(1000);
    expect(recs[0]!.ts).toBeGreaterThanOrEqual(BASE.startTime);
  });

  it('is in order with disorder 0 and starts at startTime', () => {
    const { ts } = gen(50_000, { disorder: 0 });
    expect(ts[0]).toBe(BASE.startTime);
    let decreases = 0;
    for (let i = 1; i < ts.length; i++) if (ts[i]! < ts[i - 1]!) decreases++;
    expect(decreases).toBe(0);
  });

  it("keeps each session's events in non-decreasing event time", () => {
    const { recs } = gen(100_000, { disorder: 5000 });
    const last = new Map<string, number>();
    let decreases = 0;
    for (const e of recs) {
      if (e.ts < (last.get(e.sessionId) ?? -Infinity)) decreases++;
      last.set(e.sessionId, e.ts);
    }
    expect(decreases).toBe(0);
  });

  it.each([500, 3000, 0.7])('advances event time by 1000/eventTimeRate ms per event on average (rate %s)', (eventTimeRate) => {
    const n = 50_000;
    const { ts } = gen(n, { eventTimeRate, disorder: 0 });
    const mean = (ts[n - 1]! - ts[0]!) / (n - 1);
    const want = 1000 / eventTimeRate;
    expect(Math.abs(mean - want) / want).toBeLessThan(0.01);
    expect(ts.every((t) => Number.isInteger(t))).toBe(true);
  });

  it('has skewed popularity: the top 1% of products get well over 1% of views', () => {
    const { recs } = gen(100_000);
    const views = new Map<string, number>();
    let total = 0;
    for (const e of recs) {
      if (e.eventType !== 'VIEW') continue;
      total++;
      views.set(e.productId, (views.get(e.productId) ?? 0) + 1);
    }
    const top = [...views.values()].sort((a, b) => b - a).slice(0, BASE.products / 100);
    const share = top.reduce((a, b) => a + b, 0) / total;
    expect(share).toBeGreaterThan(0.05);
  });

  it('lets the trending products drift over time', () => {
    const { recs } = gen(200_000);
    const topOf = (from: number, to: number): string => {
      const m = new Map<string, number>();
      for (const e of recs.slice(from, to)) if (e.eventType === 'VIEW') m.set(e.productId, (m.get(e.productId) ?? 0) + 1);
      return [...m].sort((a, b) => b[1] - a[1])[0]![0];
    };
    const tops = new Set([0, 1, 2, 3, 4].map((k) => topOf(k * 40_000, k * 40_000 + 10_000)));
    expect(tops.size).toBeGreaterThan(2);
  });

  it('interleaves sessions', () => {
    const { recs } = gen(1000);
    let switches = 0;
    for (let i = 1; i < recs.length; i++) if (recs[i]!.sessionId !== recs[i - 1]!.sessionId) switches++;
    expect(switches).toBeGreaterThan(900);
    expect(new Set(recs.map((e) => e.sessionId)).size).toBeGreaterThan(300);
  });
});
