// The session-recommendations logic as one hand-written function over plain Maps: the ceiling the
// pipeline's two process nodes are measured against. Same rules as the pipeline's code: a user's
// 20 latest views (forgotten 30 minutes of event time after their last event, checked when they
// come back, as a hand-written job would), and per product the counts of the products viewed just
// before it, with the top 5 kept incrementally.
import type { ClickEvent } from '../runtime/nodes/source-generator/ecommerce.js';

const QUIET = 30 * 60_000;
const KEEP = 20;
const TOP = 5;

interface User {
  /** Latest views, oldest first, as parallel arrays. */
  products: string[];
  categories: string[];
  quietAt: number;
}

/** Counts per co-viewed product and the top 5 by (count desc, id asc). */
class CoViews {
  readonly counts = new Map<string, number>();
  readonly ids: string[] = [];
  readonly views: number[] = [];

  add(id: string): void {
    const v = (this.counts.get(id) ?? 0) + 1;
    this.counts.set(id, v);
    let i = this.ids.indexOf(id);
    if (i < 0) {
      const n = this.ids.length;
      if (n === TOP && !ranksBefore(v, id, this.views[n - 1]!, this.ids[n - 1]!)) return;
      if (n === TOP) {
        this.ids.pop();
        this.views.pop();
      }
      this.ids.push(id);
      this.views.push(v);
      i = this.ids.length - 1;
    } else {
      this.views[i] = v;
    }
    while (i > 0 && ranksBefore(v, id, this.views[i - 1]!, this.ids[i - 1]!)) {
      this.ids[i] = this.ids[i - 1]!;
      this.views[i] = this.views[i - 1]!;
      i--;
    }
    this.ids[i] = id;
    this.views[i] = v;
  }
}

function ranksBefore(v: number, id: string, w: number, other: string): boolean {
  return v > w || (v === w && id < other);
}

export class ProcessTwin {
  out = 0;
  private readonly users = new Map<string, User>();
  private readonly products = new Map<string, CoViews>();

  record(e: ClickEvent, ts: number, wm: number): void {
    let u = this.users.get(e.userId);
    if (u !== undefined && u.quietAt <= wm) {
      this.users.delete(e.userId);
      u = undefined;
    }
    if (u === undefined) {
      u = { products: [], categories: [], quietAt: 0 };
      this.users.set(e.userId, u);
    }
    u.quietAt = ts + QUIET;
    if (e.eventType !== 'VIEW') return;
    const sameCategory: string[] = [];
    const recentlyViewed: string[] = [];
    for (let i = u.products.length - 1; i >= 0; i--) {
      const p = u.products[i]!;
      if (p === e.productId) continue;
      if (recentlyViewed.length < 10 && !recentlyViewed.includes(p)) recentlyViewed.push(p);
      if (sameCategory.length < TOP && u.categories[i] === e.category && !sameCategory.includes(p)) sameCategory.push(p);
    }
    u.products.push(e.productId);
    u.categories.push(e.category);
    if (u.products.length > KEEP) {
      u.products.shift();
      u.categories.shift();
    }

    let c = this.products.get(e.productId);
    if (c === undefined) {
      c = new CoViews();
      this.products.set(e.productId, c);
    }
    const coViewed = new Array<{ productId: string; views: number }>(c.ids.length);
    for (let i = 0; i < c.ids.length; i++) coViewed[i] = { productId: c.ids[i]!, views: c.views[i]! };
    for (let i = 0; i < recentlyViewed.length; i++) c.add(recentlyViewed[i]!);
    const row = { userId: e.userId, productId: e.productId, category: e.category, sameCategory, coViewed, ts };
    if (row.ts === ts) this.out++;
  }

  end(): void {
    this.users.clear();
  }
}
