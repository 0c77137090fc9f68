/**
 * Deterministic synthetic e-commerce clickstream.
 *
 * This is the embedded default data source: every demo pipeline runs on it and
 * the benchmarks use it as their hot-path source, so it is written for speed
 * (no closures, no per-event allocation besides the event object itself, every
 * emitted object has the same shape) and is pure computation (no I/O, no
 * timers, no `node:` imports) so it runs anywhere.
 *
 * Model
 * - Catalogue: `products` items spread over `categories` categories, prices
 *   drawn log-normally around a category-specific median. Popularity is
 *   Zipf-like (weight ~ 1/(rank + 1/2), globally and within each category) over
 *   a seeded base ranking; every DRIFT_EVERY events the ranking
 *   rotates by one place (a tail product jumps to #1, everything else moves
 *   down one rank), so "trending" changes slowly over event time.
 * - A pool of `concurrentSessions` sessions is active at once; each event
 *   advances one randomly chosen session, so sessions interleave.
 * - A session lands on a popular product (VIEW), then browses mostly within one
 *   or two focus categories: VIEWs, and CLICKs on listings or on
 *   recommendations (related products) which are followed by a VIEW of the
 *   clicked product. Some sessions (CART_SHARE) put viewed products in the cart
 *   and occasionally remove them. At the end a cart session either buys (one
 *   PURCHASE per cart line) or, with probability `abandonment`, leaves with a
 *   non-empty cart. The finished session is replaced by a new session of a
 *   random user.
 * - Event time: the clock advances 1000/eventTimeRate ms per event (exactly, on
 *   average; integer ms). About 10% of events are pulled back by up to
 *   `disorder` ms, but a session's events never go back in time relative to
 *   that session's previous event.
 */

export type EventType = 'VIEW' | 'CLICK' | 'ADD_TO_CART' | 'REMOVE_FROM_CART' | 'PURCHASE';

export interface ClickEvent {
  eventId: number;
  ts: number;
  userId: string;
  sessionId: string;
  eventType: EventType;
  productId: string;
  category: string;
  price: number;
  quantity: number;
  device: 'mobile' | 'desktop' | 'tablet';
}

export interface EcommerceOptions {
  seed: number;
  users: number;
  products: number;
  categories: number;
  abandonment: number;
  startTime: number;
  eventTimeRate: number;
  disorder: number;
  concurrentSessions?: number;
}

import type { FieldDoc } from '../spec.js';

/** Every ClickEvent field, in emission order. */
export const ECOMMERCE_FIELDS: readonly FieldDoc[] = Object.freeze([
  { name: 'eventId', type: 'number', doc: 'Sequence number of the event in generation order, starting at 1.' },
  { name: 'ts', type: 'number', doc: 'Event time in epoch milliseconds (integer); may be slightly out of order when disorder is enabled.' },
  { name: 'userId', type: 'string', doc: "Identifier of the user who produced the event, e.g. 'u00042'." },
  { name: 'sessionId', type: 'string', doc: "Identifier of the browsing session, unique per session, e.g. 'u00042-s7'." },
  { name: 'eventType', type: 'string', doc: 'What happened: VIEW, CLICK, ADD_TO_CART, REMOVE_FROM_CART or PURCHASE.' },
  { name: 'productId', type: 'string', doc: "Identifier of the product the event is about, e.g. 'p0137'." },
  { name: 'category', type: 'string', doc: "Category of the product, e.g. 'electronics'." },
  { name: 'price', type: 'number', doc: 'Unit price of the product in the store currency, with 2 decimals.' },
  { name: 'quantity', type: 'number', doc: 'Number of items added, removed or bought; 1 for VIEW and CLICK.' },
  { name: 'device', type: 'string', doc: 'Device of the session: mobile, desktop or tablet.' },
]);

// ---------------------------------------------------------------------------
// Tunables

/** Category names with [median price, log-normal sigma]. */
const CATEGORY_TABLE: ReadonlyArray<readonly [string, number, number]> = [
  ['electronics', 180, 0.9],
  ['books', 14, 0.45],
  ['fashion', 40, 0.6],
  ['home', 45, 0.7],
  ['toys', 22, 0.6],
  ['sports', 38, 0.75],
  ['beauty', 18, 0.55],
  ['grocery', 5, 0.6],
  ['garden', 30, 0.8],
  ['automotive', 35, 0.9],
  ['health', 16, 0.6],
  ['music', 12, 0.7],
  ['movies', 13, 0.4],
  ['games', 45, 0.5],
  ['office', 15, 0.7],
  ['pets', 20, 0.65],
  ['jewelry', 90, 1.0],
  ['baby', 25, 0.6],
  ['computers', 350, 0.8],
  ['kitchen', 35, 0.75],
];

const MAX_USERS = 10_000_000;
const MAX_PRODUCTS = 1_000_000;
const MAX_CATEGORIES = 10_000;
const MAX_SESSIONS = 1_000_000;
/** Eagerly build user-id strings up to this many users; beyond, build them per session. */
const EAGER_USER_IDS = 1 << 20;

/** Popularity ranking rotates by one place every this many events. */
const DRIFT_EVERY = 5000;
/** Share of sessions that put something in the cart. */
const CART_SHARE = 0.35;
/** After a VIEW in a cart session, probability that the viewed product is added to the cart. */
const P_ADD = 0.22;
/** Per browse step with a non-empty cart, probability of a REMOVE_FROM_CART. */
const P_REMOVE = 0.04;
/** Probability that a browse step is a CLICK (followed by a VIEW of the clicked product). 0.43/(1+0.43) ≈ 30% of browse events. */
const P_CLICK = 0.43;
/** Browse target: recommendation (related product) / focus category / anywhere (cumulative thresholds). */
const P_RELATED = 0.25;
const P_FOCUS = 0.85;
/** Probability a session has a second focus category, and share of focus browsing that goes to it. */
const P_SECOND_CATEGORY = 0.4;
const P_USE_SECOND = 0.35;
/** Share of events whose timestamp is pulled back when disorder > 0. */
const P_DISORDER = 0.1;
/** Max cart lines per session. */
const MAX_CART = 8;
/** Browse-phase length of a session: MIN_LEN + floor(SPAN_LEN * u^2). */
const MIN_LEN = 3;
const SPAN_LEN = 34;

const INV_2_32 = 1 / 4294967296;
const T_VIEW = 0;
const T_CLICK = 1;
const T_ADD = 2;
const T_REMOVE = 3;
const T_PURCHASE = 4;
const TYPE_NAMES: readonly EventType[] = ['VIEW', 'CLICK', 'ADD_TO_CART', 'REMOVE_FROM_CART', 'PURCHASE'];

type Device = ClickEvent['device'];

// ---------------------------------------------------------------------------
// Validation

function isInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x);
}
function isFiniteNum(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** Returns a human-readable message for the first invalid option, or null when all are valid. */
export function validateEcommerceOptions(o: EcommerceOptions): string | null {
  if (o === null || typeof o !== 'object') return 'options must be an object';
  if (!isFiniteNum(o.seed)) return 'seed must be a finite number';
  if (!isInt(o.users) || o.users < 1 || o.users > MAX_USERS) {
    return `users must be an integer between 1 and ${MAX_USERS} (got ${String(o.users)})`;
  }
  if (!isInt(o.products) || o.products < 1 || o.products > MAX_PRODUCTS) {
    return `products must be an integer between 1 and ${MAX_PRODUCTS} (got ${String(o.products)})`;
  }
  if (!isInt(o.categories) || o.categories < 1 || o.categories > MAX_CATEGORIES) {
    return `categories must be an integer between 1 and ${MAX_CATEGORIES} (got ${String(o.categories)})`;
  }
  if (!isFiniteNum(o.abandonment) || o.abandonment < 0 || o.abandonment > 1) {
    return `abandonment must be a number between 0 and 1 (got ${String(o.abandonment)})`;
  }
  if (!isFiniteNum(o.startTime) || Math.abs(o.startTime) > 8.64e15) {
    return `startTime must be a finite epoch time in milliseconds (got ${String(o.startTime)})`;
  }
  if (!isFiniteNum(o.eventTimeRate) || o.eventTimeRate <= 0) {
    return `eventTimeRate must be a number of events per second greater than 0 (got ${String(o.eventTimeRate)})`;
  }
  if (!isFiniteNum(o.disorder) || o.disorder < 0) {
    return `disorder must be a number of milliseconds >= 0 (got ${String(o.disorder)})`;
  }
  if (o.concurrentSessions !== undefined) {
    const c = o.concurrentSessions;
    if (!isInt(c) || c < 1 || c > MAX_SESSIONS) {
      return `concurrentSessions must be an integer between 1 and ${MAX_SESSIONS} (got ${String(c)})`;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------
// Helpers (construction time only)

/** 32-bit finalizer (murmur3 fmix32). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function seedState(seed: number, salt: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) | 0;
  const frac = Math.floor((seed - Math.floor(seed)) * 4294967296) | 0;
  return fmix32(lo ^ fmix32(hi ^ fmix32(frac ^ salt)) ^ salt) | 0;
}

/** Small seeded PRNG (mulberry32) for construction-time draws. */
class Rng {
  private s: number;
  constructor(state: number) {
    this.s = state | 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) * INV_2_32;
  }
}

function padId(prefix: string, n: number, width: number): string {
  return prefix + String(n).padStart(width, '0');
}

function idWidth(count: number, min: number): number {
  return Math.max(min, String(Math.max(0, count - 1)).length);
}

// ---------------------------------------------------------------------------
// Session state. The pool is kept struct-of-arrays in typed arrays (one 64-byte
// row per session slot) so the hot loop touches little memory and never boxes.

/** Int32 fields of a session row. */
const F_C1 = 0; // first focus category
const F_C2 = 1; // second focus category, or -1
const F_REMAINING = 2; // browse-phase events left before the session wants to end
const F_CART = 3; // 1 when the session will put something in the cart
const F_BUY = 4; // 1 when the session will end with a purchase
const F_PHASE = 5; // P_NEW, P_BROWSE or P_PURCHASE
const F_LAST_TYPE = 6; // type of the session's previous event, or -1
const F_LAST_PRODUCT = 7; // product of the session's previous event, or -1
const F_PENDING = 8; // product clicked and to be viewed next, or -1
const F_CART_LEN = 9; // cart lines
const F_PURCHASE_IDX = 10; // next cart line to purchase
const F_DEVICE = 11; // index into DEVICES
const STRIDE = 16;
/** Cart rows: MAX_CART product indexes then MAX_CART quantities. */
const CART_STRIDE = 2 * MAX_CART;

const PH_NEW = 0;
const PH_BROWSE = 1;
const PH_PURCHASE = 2;

const DEVICES: readonly Device[] = ['mobile', 'desktop', 'tablet'];

/** '-s<k>' for small per-user session numbers k (index 0 unused). */
const SESSION_SUFFIX: readonly string[] = Array.from({ length: 1024 }, (_, k) => '-s' + k);

// ---------------------------------------------------------------------------

/** The generator's moving parts, as a checkpoint holds them (typed arrays survive v8 serialization). */
export interface GeneratorState {
  readonly s: number;
  readonly off: number;
  readonly driftLeft: number;
  readonly emitted: number;
  readonly catRot: Int32Array;
  readonly userSessions: Uint32Array;
  readonly st: Int32Array;
  readonly cart: Int32Array;
  readonly lastTs: Float64Array;
  readonly ids: string[];
}

export class EcommerceGenerator {
  readonly catalogue: ReadonlyArray<{ productId: string; category: string; price: number }>;

  // PRNG state (mulberry32)
  private s: number;

  // Options
  private readonly nUsers: number;
  private readonly nProducts: number;
  private readonly abandonment: number;
  private readonly startTime: number;
  private readonly step: number;
  private readonly disorder: number;

  // Products are handled internally by their *base popularity position* q (a seeded
  // permutation of the catalogue), not by catalogue index: the current popularity
  // rank r maps to position (r - off) mod n, so the hot products always sit in one
  // contiguous window of these arrays, which keeps big catalogues cache-friendly.
  private readonly productIds: string[];
  private readonly productCat: Int32Array;
  private readonly productCatName: string[];
  private readonly productPrice: Float64Array;
  /** Index of the product in its category's list. */
  private readonly catPos: Int32Array;

  // Popularity rotation (see drift()).
  private off = 0;
  private driftLeft = DRIFT_EVERY;
  /** ln(2n + 1): scale of the global popularity sampler. */
  private readonly gLog: number;

  // Per-category lists of positions (ascending, i.e. in base popularity order), their
  // rotation and ln(2 size + 1) for the popularity sampler.
  private readonly catStart: Int32Array;
  private readonly catSize: Int32Array;
  private readonly catRot: Int32Array;
  private readonly catList: Int32Array;
  private readonly catLog: Float64Array;

  // Users
  private readonly userIds: string[];
  private readonly userWidth: number;
  private readonly userSessions: Uint32Array;

  // Session pool
  private readonly nSessions: number;
  private readonly st: Int32Array;
  private readonly cart: Int32Array;
  private readonly lastTs: Float64Array;
  /** userId at 2*slot, sessionId at 2*slot+1. */
  private readonly ids: string[];

  // Clock: events emitted so far
  private emitted = 0;

  constructor(opts: EcommerceOptions) {
    const err = validateEcommerceOptions(opts);
    if (err !== null) throw new RangeError(`EcommerceGenerator: ${err}`);

    this.nUsers = opts.users;
    this.nProducts = opts.products;
    this.abandonment = opts.abandonment;
    this.startTime = Math.floor(opts.startTime);
    this.step = 1000 / opts.eventTimeRate;
    this.disorder = Math.floor(opts.disorder);
    this.s = seedState(opts.seed, 0x9e3779b9);

    // --- catalogue (depends only on seed, products and categories) ---
    const crng = new Rng(seedState(opts.seed, 0x7f4a7c15));
    const n = opts.products;
    const nc = opts.categories;
    const catNames: string[] = [];
    for (let c = 0; c < nc; c++) {
      const base = CATEGORY_TABLE[c % CATEGORY_TABLE.length]![0];
      const round = Math.floor(c / CATEGORY_TABLE.length);
      catNames.push(round === 0 ? base : `${base}-${round + 1}`);
    }
    const pWidth = idWidth(n, 4);
    const cat: number[] = [];
    const catalogue: { productId: string; category: string; price: number }[] = [];
    for (let i = 0; i < n; i++) {
      // The first `nc` products cover every category; the rest are spread at random.
      const c = i < nc ? i : Math.floor(crng.next() * nc);
      const spec = CATEGORY_TABLE[c % CATEGORY_TABLE.length]!;
      // Log-normal price around the category median (Box-Muller normal draw).
      const u1 = 1 - crng.next();
      const u2 = crng.next();
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      let price = spec[1] * Math.exp(spec[2] * z);
      if (price >= 2 && crng.next() < 0.6) price = Math.floor(price) + 0.99; // "charm" pricing
      price = Math.max(0.99, Math.round(price * 100) / 100);
      cat.push(c);
      catalogue.push(Object.freeze({ productId: padId('p', i, pWidth), category: catNames[c]!, price }));
    }
    this.catalogue = Object.freeze(catalogue);

    // Base popularity order: a seeded permutation; position q holds product perm[q].
    const perm = new Int32Array(n);
    for (let i = 0; i < n; i++) perm[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(crng.next() * (i + 1));
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
    }
    this.productIds = [];
    this.productCatName = [];
    this.productCat = new Int32Array(n);
    this.productPrice = new Float64Array(n);
    for (let q = 0; q < n; q++) {
      const p = catalogue[perm[q]!]!;
      this.productIds.push(p.productId);
      this.productCatName.push(p.category);
      this.productCat[q] = cat[perm[q]!]!;
      this.productPrice[q] = p.price;
    }
    this.gLog = Math.log(2 * n + 1);

    // Category lists, in base popularity order.
    this.catSize = new Int32Array(nc);
    for (let q = 0; q < n; q++) this.catSize[this.productCat[q]!]!++;
    this.catStart = new Int32Array(nc);
    for (let c = 1; c < nc; c++) this.catStart[c] = this.catStart[c - 1]! + this.catSize[c - 1]!;
    this.catRot = new Int32Array(nc);
    this.catLog = new Float64Array(nc);
    for (let c = 0; c < nc; c++) this.catLog[c] = Math.log(2 * this.catSize[c]! + 1);
    this.catList = new Int32Array(n);
    this.catPos = new Int32Array(n);
    const fill = new Int32Array(nc);
    for (let q = 0; q < n; q++) {
      const c = this.productCat[q]!;
      const k = fill[c]!++;
      this.catList[this.catStart[c]! + k] = q;
      this.catPos[q] = k;
    }

    // --- users ---
    this.userWidth = idWidth(opts.users, 5);
    this.userIds = [];
    if (opts.users <= EAGER_USER_IDS) {
      for (let u = 0; u < opts.users; u++) this.userIds.push(padId('u', u, this.userWidth));
    }
    this.userSessions = new Uint32Array(opts.users);

    // --- session pool ---
    const ns = opts.concurrentSessions ?? Math.min(opts.users, 2000);
    this.nSessions = ns;
    this.st = new Int32Array(ns * STRIDE);
    this.cart = new Int32Array(ns * CART_STRIDE);
    this.lastTs = new Float64Array(ns);
    this.ids = [];
    for (let i = 0; i < ns; i++) this.ids.push('', '');
    for (let i = 0; i < ns; i++) this.startSession(i);
  }

  /**
   * Everything that changes as events are drawn (the random state, the popularity rotation, the
   * session pool), copied for a checkpoint; the rest follows from the options.
   */
  save(): GeneratorState {
    return {
      s: this.s, off: this.off, driftLeft: this.driftLeft, emitted: this.emitted,
      catRot: this.catRot.slice(), userSessions: this.userSessions.slice(),
      st: this.st.slice(), cart: this.cart.slice(), lastTs: this.lastTs.slice(), ids: [...this.ids],
    };
  }

  /** Continue exactly where `save` was called (on a generator built with the same options). */
  load(g: GeneratorState): void {
    if (g.st.length !== this.st.length || g.ids.length !== this.ids.length || g.catRot.length !== this.catRot.length || g.userSessions.length !== this.userSessions.length) {
      throw new Error('the generator\'s options changed since the checkpoint (users, products, categories or sessions)');
    }
    this.s = g.s;
    this.off = g.off;
    this.driftLeft = g.driftLeft;
    this.emitted = g.emitted;
    this.catRot.set(g.catRot);
    this.userSessions.set(g.userSessions);
    this.st.set(g.st);
    this.cart.set(g.cart);
    this.lastTs.set(g.lastTs);
    for (let i = 0; i < this.ids.length; i++) this.ids[i] = g.ids[i]!;
  }

  /** Append exactly n events to recs (and their timestamps to ts, ts[i] === recs[i].ts). */
  fill(recs: ClickEvent[], ts: number[], n: number): void {
    if (n <= 0) return;
    // The first push may change the arrays' element kinds (e.g. a fresh [] becoming
    // an array of objects / of doubles); doing it outside the loop keeps the loop's
    // push sites monomorphic so they get inlined.
    const first = this.nextEvent();
    recs.push(first);
    ts.push(first.ts);
    for (let i = 1; i < n; i++) {
      const ev = this.nextEvent();
      recs.push(ev);
      ts.push(ev.ts);
    }
  }

  // -------------------------------------------------------------------------

  /** Uniform float in [0, 1) (mulberry32). */
  private rnd(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) * INV_2_32;
  }

  /**
   * A popularity rank in [0, m), Zipf-like: the continuous law with density
   * proportional to 1/(x + 1/2) on [0, m), inverted in closed form (no table, so
   * no cache misses on big catalogues). `ln2m1` is ln(2m + 1).
   */
  private zipfRank(m: number, ln2m1: number): number {
    const r = (0.5 * Math.exp(this.rnd() * ln2m1) - 0.5) | 0;
    return r < m ? r : m - 1;
  }

  /** A product (position) drawn from the (drifting) global popularity distribution. */
  private sampleGlobal(): number {
    const n = this.nProducts;
    const q = this.zipfRank(n, this.gLog) - this.off;
    return q < 0 ? q + n : q;
  }

  /** A product (position) of category c drawn from that category's (drifting) popularity distribution. */
  private sampleCategory(c: number): number {
    const m = this.catSize[c]!;
    let idx = this.zipfRank(m, this.catLog[c]!) + m - this.catRot[c]!;
    if (idx >= m) idx -= m;
    return this.catList[this.catStart[c]! + idx]!;
  }

  /** A product related to `prod` (a near neighbour in its category's list): a recommendation. `u` is uniform in [0, 1). */
  private sampleRelated(prod: number, u: number): number {
    const c = this.productCat[prod]!;
    const m = this.catSize[c]!;
    let d = 1 + ((u * 6) | 0); // 1..6 -> +1, +2, +3, -1, -2, -3
    if (d > 3) d = 3 - d;
    let idx = (this.catPos[prod]! + d) % m;
    if (idx < 0) idx += m;
    return this.catList[this.catStart[c]! + idx]!;
  }

  /** Rotate the popularity ranking by one place: the last-ranked product becomes #1. */
  private drift(): void {
    const n = this.nProducts;
    const c = this.productCat[n - 1 - this.off]!;
    const k = this.catRot[c]! + 1;
    this.catRot[c] = k >= this.catSize[c]! ? 0 : k;
    this.off = this.off + 1 >= n ? 0 : this.off + 1;
  }

  /** (Re)initialise pool slot `slot` with a new session of a random user. */
  private startSession(slot: number): void {
    const st = this.st;
    const b = slot * STRIDE;
    // User (integer part) and device (fractional part) from one draw.
    const uu = this.rnd() * this.nUsers;
    const u = uu | 0;
    const d = uu - u;
    const userId = this.userIds.length > 0 ? this.userIds[u]! : padId('u', u, this.userWidth);
    const k = this.userSessions[u]! + 1;
    this.userSessions[u] = k;
    this.ids[2 * slot] = userId;
    this.ids[2 * slot + 1] = userId + (k < SESSION_SUFFIX.length ? SESSION_SUFFIX[k]! : '-s' + k);
    st[b + F_DEVICE] = d < 0.55 ? 0 : d < 0.9 ? 1 : 2;
    const l = this.rnd();
    st[b + F_REMAINING] = MIN_LEN + Math.floor(SPAN_LEN * l * l);
    // Cart intent and, for cart sessions, purchase vs abandonment from one draw.
    const c = this.rnd();
    const willCart = c < CART_SHARE;
    st[b + F_CART] = willCart ? 1 : 0;
    st[b + F_BUY] = willCart && c * (1 / CART_SHARE) >= this.abandonment ? 1 : 0;
    st[b + F_PHASE] = PH_NEW;
    st[b + F_C1] = 0;
    st[b + F_C2] = -1;
    st[b + F_LAST_TYPE] = -1;
    st[b + F_LAST_PRODUCT] = -1;
    st[b + F_PENDING] = -1;
    st[b + F_CART_LEN] = 0;
    st[b + F_PURCHASE_IDX] = 0;
    this.lastTs[slot] = this.startTime; // also keeps every ts >= startTime
  }

  private nextEvent(): ClickEvent {
    if (--this.driftLeft === 0) {
      this.driftLeft = DRIFT_EVERY;
      this.drift();
    }
    // One draw picks the session; its fractional part decides whether the ts is pulled back.
    const us = this.rnd() * this.nSessions;
    const slot = us | 0;
    const uDisorder = us - slot;
    const st = this.st;
    const b = slot * STRIDE;

    let type: number;
    let prod: number;
    let qty = 1;
    let end = false;
    const phase = st[b + F_PHASE]!;

    if (phase === PH_PURCHASE) {
      // Checkout: one PURCHASE per cart line.
      const i = st[b + F_PURCHASE_IDX]!;
      const cb = slot * CART_STRIDE;
      type = T_PURCHASE;
      prod = this.cart[cb + i]!;
      qty = this.cart[cb + MAX_CART + i]!;
      st[b + F_PURCHASE_IDX] = i + 1;
      end = i + 1 >= st[b + F_CART_LEN]!;
    } else {
      if (phase === PH_NEW) {
        // Landing: VIEW of a popular product; its category becomes the focus.
        st[b + F_PHASE] = PH_BROWSE;
        type = T_VIEW;
        prod = this.sampleGlobal();
        st[b + F_C1] = this.productCat[prod]!;
        st[b + F_C2] = this.rnd() < P_SECOND_CATEGORY ? this.productCat[this.sampleGlobal()]! : -1;
      } else if (st[b + F_PENDING]! >= 0) {
        // Click-through: VIEW of the product just clicked.
        type = T_VIEW;
        prod = st[b + F_PENDING]!;
        st[b + F_PENDING] = -1;
      } else {
        // One draw decides the action; each decision rescales the rest of it to [0, 1)
        // for the next one (32 random bits are plenty for these few choices).
        let u = this.rnd();
        const cartLen = st[b + F_CART_LEN]!;
        type = -1;
        prod = -1;
        if (st[b + F_CART] === 1 && st[b + F_LAST_TYPE] === T_VIEW && cartLen < MAX_CART) {
          if (u < P_ADD || (cartLen === 0 && st[b + F_REMAINING]! <= 1)) {
            // Put the product just viewed in the cart (merging with an existing line).
            type = T_ADD;
            prod = st[b + F_LAST_PRODUCT]!;
            const q = u < P_ADD ? u * (1 / P_ADD) : (u - P_ADD) * (1 / (1 - P_ADD));
            qty = q < 0.72 ? 1 : q < 0.92 ? 2 : 3;
            const cart = this.cart;
            const cb = slot * CART_STRIDE;
            let i = 0;
            while (i < cartLen && cart[cb + i] !== prod) i++;
            if (i < cartLen) {
              cart[cb + MAX_CART + i] = cart[cb + MAX_CART + i]! + qty;
            } else {
              cart[cb + i] = prod;
              cart[cb + MAX_CART + i] = qty;
              st[b + F_CART_LEN] = cartLen + 1;
            }
          } else {
            u = (u - P_ADD) * (1 / (1 - P_ADD));
          }
        }
        if (type < 0 && cartLen > 0) {
          if (u < P_REMOVE) {
            // Take one item, or a whole line, out of the cart.
            type = T_REMOVE;
            const v = u * (cartLen / P_REMOVE);
            const i = v | 0;
            const cart = this.cart;
            const cb = slot * CART_STRIDE;
            prod = cart[cb + i]!;
            const have = cart[cb + MAX_CART + i]!;
            if (have > 1 && v - i < 0.5) {
              cart[cb + MAX_CART + i] = have - 1;
            } else {
              qty = have;
              for (let j = i + 1; j < cartLen; j++) {
                cart[cb + j - 1] = cart[cb + j]!;
                cart[cb + MAX_CART + j - 1] = cart[cb + MAX_CART + j]!;
              }
              st[b + F_CART_LEN] = cartLen - 1;
            }
          } else {
            u = (u - P_REMOVE) * (1 / (1 - P_REMOVE));
          }
        }
        if (type < 0) {
          // Browse: CLICK or VIEW of a recommendation, a listing in a focus category, or anything.
          if (u < P_CLICK) {
            type = T_CLICK;
            u *= 1 / P_CLICK;
          } else {
            type = T_VIEW;
            u = (u - P_CLICK) * (1 / (1 - P_CLICK));
          }
          if (u < P_RELATED) {
            prod = this.sampleRelated(st[b + F_LAST_PRODUCT]!, u * (1 / P_RELATED));
          } else if (u < P_FOCUS) {
            const c2 = st[b + F_C2]!;
            const useC2 = c2 >= 0 && (u - P_RELATED) * (1 / (P_FOCUS - P_RELATED)) < P_USE_SECOND;
            prod = this.sampleCategory(useC2 ? c2 : st[b + F_C1]!);
          } else {
            prod = this.sampleGlobal();
          }
          if (type === T_CLICK) st[b + F_PENDING] = prod;
        }
      }
      st[b + F_LAST_TYPE] = type;
      st[b + F_LAST_PRODUCT] = prod;
      const left = st[b + F_REMAINING]! - 1;
      st[b + F_REMAINING] = left;
      if (left <= 0 && st[b + F_PENDING]! < 0 && (st[b + F_CART] === 0 || st[b + F_CART_LEN]! > 0)) {
        if (st[b + F_BUY] === 1) {
          st[b + F_PHASE] = PH_PURCHASE;
          st[b + F_PURCHASE_IDX] = 0;
        } else {
          end = true;
        }
      }
    }

    // Event time: the clock, sometimes pulled back, never before this session's previous event.
    const k = this.emitted++;
    let t = this.startTime + Math.floor(k * this.step);
    if (this.disorder > 0 && uDisorder < P_DISORDER) {
      t -= Math.floor(this.rnd() * (this.disorder + 1));
    }
    const prev = this.lastTs[slot]!;
    if (t < prev) t = prev;
    this.lastTs[slot] = t;

    const ev: ClickEvent = {
      eventId: k + 1,
      ts: t,
      userId: this.ids[2 * slot]!,
      sessionId: this.ids[2 * slot + 1]!,
      eventType: TYPE_NAMES[type]!,
      productId: this.productIds[prod]!,
      category: this.productCatName[prod]!,
      price: this.productPrice[prod]!,
      quantity: qty,
      device: DEVICES[st[b + F_DEVICE]!]!,
    };

    if (end) this.startSession(slot);
    return ev;
  }
}
