// Records packed for another thread: tags, numbers and string ids in typed arrays (transferred, not
// copied), with a dictionary of strings kept on both ends of one channel. Structured clone copies
// and reallocates every string of every record: for the nested, string-heavy records process nodes
// pass on (ids, categories, lists of product ids) that cost ~0.12 µs a string and ~1.7 µs an
// array of ten, more than the code handling the record. Ids repeat, so each string crosses once
// and is then named by a number, and the receiver hands out the one string it already holds.
//
// What packs: numbers (exact, -0 and NaN included), strings, booleans, null, undefined, dense
// arrays and plain objects (fields in order) of those, nested up to MAX_DEPTH. Anything else (a
// Date, a Map, a typed array, a class instance, an object with a null prototype or an own
// `__proto__`, an array with holes, a regex match, deeper nesting or a cycle) declines the
// whole batch, which then goes by structured clone as before. Unlike structured clone, an object
// reached twice arrives as two equal objects, and an array's named properties other than a regex
// match's are dropped (as JSON drops them).
//
// Order: a channel's writer and reader must see the same batches in the same order (a worker's
// messages arrive in the order they were posted); a batch the writer declines adds nothing.
//
// The dictionary is bounded. Once it is full, strings new to it go inline; when as many of those
// have gone as a quarter of the dictionary, the ids in use are no longer the ones that repeat (keys
// drift in an endless run: sessions end, products change), so the writer starts a new dictionary,
// and its next batch tells the reader to drop the old one before reading the batch.

/** Strings longer than this go inline (once per use): ids and names are short, texts are not. */
const MAX_INTERNED_LENGTH = 48;
/** Strings a channel's dictionary holds at most; later new strings go inline. */
const MAX_DICTIONARY = 1 << 16;
/** Strings gone inline for want of room in a full dictionary before it is started afresh. */
const RESET_AFTER_MISSES = MAX_DICTIONARY / 4;
const MAX_DEPTH = 32;
/**
 * Arrays and objects one batch may pack: records sharing sub-objects (no cycle) are packed once per
 * path, which doubles with every shared level; past this the batch goes by structured clone, which
 * copies a shared object once.
 */
const MAX_CONTAINERS = 1 << 22;
/** Scratch capacity kept between batches; one huge batch's is let go after it. */
const KEEP_CAPACITY = 1 << 20;

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_FALSE = 2;
const T_TRUE = 3;
const T_NUMBER = 4;
const T_STRING = 5;
const T_INLINE = 6;
const T_ARRAY = 7;
const T_OBJECT = 8;
/** A projected field the record lacks (it stays absent). */
const T_ABSENT = 9;

export interface Packed {
  readonly n: number;
  /** Top-level fields kept (the rest dropped), or null for whole records. */
  readonly fields: readonly string[] | null;
  readonly tags: Uint8Array;
  readonly nums: Float64Array;
  /** String ids, inline-string indexes, array lengths and field counts, in order of use. */
  readonly refs: Int32Array;
  /** The reader drops its dictionary before reading this batch (the writer started a new one). */
  readonly reset: boolean;
  /** Strings new to the dictionary, in the order they took ids. */
  readonly added: readonly string[];
  readonly inline: readonly string[];
}

class Declined extends Error {}
const DECLINED = new Declined();

/** One channel's sending end. */
export class PackWriter {
  private readonly ids = new Map<string, number>();
  private tags = new Uint8Array(1024);
  private nums = new Float64Array(256);
  private refs = new Int32Array(512);
  private nt = 0;
  private nn = 0;
  private nr = 0;
  private added: string[] = [];
  private inline: string[] = [];
  private containers = 0;
  /** Strings that went inline because the dictionary was full, since it was last started. */
  private misses = 0;
  /** The dictionary was started afresh and no batch has told the reader yet. */
  private resetPending = false;

  /** The records packed (only `fields` of each, when given), or null when one holds what cannot pack. */
  encode(recs: readonly unknown[], fields: readonly string[] | null = null): Packed | null {
    if (this.misses >= RESET_AFTER_MISSES) {
      // Between batches, so no batch names ids of both dictionaries.
      this.ids.clear();
      this.misses = 0;
      this.resetPending = true;
    }
    this.nt = this.nn = this.nr = 0;
    this.containers = 0;
    this.added = [];
    this.inline = [];
    try {
      for (let i = 0; i < recs.length; i++) {
        const r = recs[i];
        if (fields === null) {
          this.value(r, 0);
          continue;
        }
        // Projected: records are objects (keyed by a field), the fields read as `rec[f]`.
        if (!isPlainObject(r)) throw DECLINED;
        for (let j = 0; j < fields.length; j++) {
          const f = fields[j]!;
          const v = (r as Record<string, unknown>)[f];
          if (v === undefined && !Object.hasOwn(r, f)) this.tag(T_ABSENT);
          else this.value(v, 1);
        }
      }
    } catch (err) {
      // Nothing of this batch reaches the reader, whatever stopped it (a getter may throw): forget
      // the strings it named, or the next batch's ids would name other strings on the other end.
      for (const s of this.added) this.ids.delete(s);
      if (!(err instanceof Declined) && !(err instanceof RangeError)) throw err;
      return null;
    }
    const packed: Packed = {
      n: recs.length,
      fields,
      tags: this.tags.slice(0, this.nt),
      nums: this.nums.slice(0, this.nn),
      refs: this.refs.slice(0, this.nr),
      reset: this.resetPending,
      added: this.added,
      inline: this.inline,
    };
    this.resetPending = false;
    if (this.tags.length > KEEP_CAPACITY) {
      this.tags = new Uint8Array(1024);
      this.nums = new Float64Array(256);
      this.refs = new Int32Array(512);
    }
    return packed;
  }

  private value(v: unknown, depth: number): void {
    switch (typeof v) {
      case 'number':
        this.tag(T_NUMBER);
        if (this.nn === this.nums.length) this.nums = grow(this.nums);
        this.nums[this.nn++] = v;
        return;
      case 'string':
        return this.string(v);
      case 'boolean':
        return this.tag(v ? T_TRUE : T_FALSE);
      case 'undefined':
        return this.tag(T_UNDEFINED);
      case 'object':
        break;
      default:
        throw DECLINED;
    }
    if (v === null) return this.tag(T_NULL);
    if (depth >= MAX_DEPTH || ++this.containers > MAX_CONTAINERS) throw DECLINED;
    if (Array.isArray(v)) {
      if (Object.getPrototypeOf(v) !== Array.prototype) throw DECLINED;
      const n = v.length;
      // A regex match's named properties (`index`, `input`, `groups`) cross by structured clone.
      // Looking for any named property (Object.keys) would cost ~40 ns an element, ~70 % more
      // packing for records holding lists of ids: other named properties of arrays are dropped.
      if ((v as { index?: unknown }).index !== undefined) throw DECLINED;
      this.tag(T_ARRAY);
      this.ref(n);
      for (let i = 0; i < n; i++) {
        const x = v[i];
        if (x === undefined && !(i in v)) throw DECLINED;
        this.value(x, depth + 1);
      }
      return;
    }
    if (!isPlainObject(v)) throw DECLINED;
    this.tag(T_OBJECT);
    const at = this.nr;
    this.ref(0);
    let count = 0;
    // for...in over a plain object: its own enumerable string keys, in Object.keys order.
    for (const k in v) {
      if (k === '__proto__') throw DECLINED;
      this.string(k);
      this.value((v as Record<string, unknown>)[k], depth + 1);
      count++;
    }
    this.refs[at] = count;
  }

  private string(s: string): void {
    const id = this.ids.get(s);
    if (id !== undefined) {
      this.tag(T_STRING);
      this.ref(id);
    } else if (s.length <= MAX_INTERNED_LENGTH && this.ids.size < MAX_DICTIONARY) {
      const nid = this.ids.size;
      this.ids.set(s, nid);
      this.added.push(s);
      this.tag(T_STRING);
      this.ref(nid);
    } else {
      if (s.length <= MAX_INTERNED_LENGTH) this.misses++;
      this.tag(T_INLINE);
      this.ref(this.inline.length);
      this.inline.push(s);
    }
  }

  private tag(t: number): void {
    if (this.nt === this.tags.length) this.tags = grow(this.tags);
    this.tags[this.nt++] = t;
  }

  private ref(x: number): void {
    if (this.nr === this.refs.length) this.refs = grow(this.refs);
    this.refs[this.nr++] = x;
  }
}

/** One channel's receiving end. */
export class PackReader {
  private readonly strs: string[] = [];
  private p: Packed | null = null;
  private it = 0;
  private inum = 0;
  private ir = 0;

  decode(p: Packed): unknown[] {
    if (p.reset) this.strs.length = 0;
    for (let i = 0; i < p.added.length; i++) this.strs.push(p.added[i]!);
    this.p = p;
    this.it = this.inum = this.ir = 0;
    const out = new Array<unknown>(p.n);
    const fields = p.fields;
    for (let i = 0; i < p.n; i++) {
      if (fields === null) {
        out[i] = this.value();
        continue;
      }
      const r: Record<string, unknown> = {};
      for (let j = 0; j < fields.length; j++) {
        if (p.tags[this.it] === T_ABSENT) this.it++;
        else r[fields[j]!] = this.value();
      }
      out[i] = r;
    }
    this.p = null;
    return out;
  }

  private value(): unknown {
    const p = this.p!;
    switch (p.tags[this.it++]) {
      case T_NUMBER:
        return p.nums[this.inum++];
      case T_STRING:
        return this.strs[p.refs[this.ir++]!];
      case T_INLINE:
        return p.inline[p.refs[this.ir++]!];
      case T_TRUE:
        return true;
      case T_FALSE:
        return false;
      case T_NULL:
        return null;
      case T_UNDEFINED:
        return undefined;
      case T_ARRAY: {
        const n = p.refs[this.ir++]!;
        const a = new Array<unknown>(n);
        for (let i = 0; i < n; i++) a[i] = this.value();
        return a;
      }
      case T_OBJECT: {
        const n = p.refs[this.ir++]!;
        const o: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const k = this.value() as string;
          o[k] = this.value();
        }
        return o;
      }
      default:
        throw new Error('internal: a packed batch is corrupt');
    }
  }
}

/** The buffers to transfer with a packed batch (made for its message alone). */
export function packedTransfers(p: Packed, into: ArrayBuffer[]): void {
  into.push(p.tags.buffer as ArrayBuffer, p.nums.buffer as ArrayBuffer, p.refs.buffer as ArrayBuffer);
}

function isPlainObject(v: unknown): v is object {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

function grow<T extends Uint8Array | Float64Array | Int32Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}
