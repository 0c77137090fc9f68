// Churn features and scores computed directly from the generator's events, independently of the
// engine: what churn-rules.json and churn-scoring.json must leave in Redis.
import type { ClickEvent } from '../../runtime/nodes/source-generator/ecommerce.js';

export interface ChurnFeatures {
  sessions: number;
  views: number;
  carts: number;
  purchases: number;
  recency: number;
  computedAt: number;
}

/** Each user's features in the last 2-minute (tumbling, epoch-aligned) window they were active in. */
export function lastWindowFeatures(events: readonly ClickEvent[], windowMs = 120_000): Map<string, ChurnFeatures> {
  const acc = new Map<string, { w: number; sessions: Set<string>; views: number; carts: number; purchases: number; last: number }>();
  for (const e of events) {
    const w = Math.floor(e.ts / windowMs);
    let a = acc.get(e.userId);
    if (a === undefined || a.w < w) {
      a = { w, sessions: new Set(), views: 0, carts: 0, purchases: 0, last: -Infinity };
      acc.set(e.userId, a);
    } else if (a.w > w) continue; // an earlier window of this user: overwritten in Redis anyway
    a.sessions.add(e.sessionId);
    if (e.eventType === 'VIEW') a.views++;
    if (e.eventType === 'ADD_TO_CART') a.carts++;
    if (e.eventType === 'PURCHASE') a.purchases++;
    a.last = Math.max(a.last, e.ts);
  }
  const out = new Map<string, ChurnFeatures>();
  for (const [user, a] of acc) {
    const end = (a.w + 1) * windowMs;
    out.set(user, { sessions: a.sessions.size, views: a.views, carts: a.carts, purchases: a.purchases, recency: (end - a.last) / 1000, computedAt: end });
  }
  return out;
}

/** The rule churn-rules.json states in its description. */
export function ruleScore(f: ChurnFeatures): number {
  const s = 0.4 * Math.min(f.recency / 120, 1) + (f.purchases === 0 ? 0.3 : 0) + (f.carts === 0 ? 0.2 : 0) + (f.sessions <= 1 ? 0.1 : 0);
  return Math.round(s * 1000) / 1000;
}
