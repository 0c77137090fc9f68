// The events `source.generator` emits for given params, for tests that check exactly what a
// pipeline fed by it wrote (the same model and seed give the same events).
import { type ClickEvent, EcommerceGenerator } from '../../runtime/nodes/source-generator/ecommerce.js';

/** Events of a generator with `count`, `rate: 0`, `seed` and otherwise default params (eventTimeRate as given, default 1000 when unthrottled). */
export function generatedEvents(count: number, seed: number, eventTimeRate = 1000): ClickEvent[] {
  const gen = new EcommerceGenerator({ seed, users: 10_000, products: 1_000, categories: 12, abandonment: 0.7, startTime: Date.parse('2026-01-01T00:00:00Z'), eventTimeRate, disorder: 2000 });
  const recs: ClickEvent[] = [];
  gen.fill(recs, [], count);
  return recs;
}
