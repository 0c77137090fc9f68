package dev.tributary.flink.code;

/**
 * The process node's `ctx` in JavaScript, as runtime/nodes/process/context.ts and the state
 * handles of runtime/engine/state give it, over a host object ({@link ProcessHost}) that keeps
 * the state in Flink's keyed state. Values cross as JSON text: the state holds copies, as Flink's
 * serializing backends do.
 *
 * Within one call (a record or a timer) a list or map read once is kept in JavaScript and written
 * through, so a loop over `at(i)` reads the state once. The messages of the checks are the
 * embedded runtime's, so the `errors` port gets the same words.
 */
final class ProcessPrelude {
  private ProcessPrelude() {}

  static final String JS = """
(function (H, declared, code, onTimer, open, code2, node, onBroadcast) {
  const UNIT = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 };
  const MAX_DURATION = 100 * 365 * 86400000;
  function parseDuration(v) {
    let ms;
    if (typeof v === 'number') ms = v;
    else if (typeof v === 'string') {
      const m = /^(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)$/.exec(v.trim());
      if (!m) return null;
      ms = Math.round(Number(m[1]) * UNIT[m[2]]);
    } else return null;
    return Number.isFinite(ms) && ms >= 0 && ms <= MAX_DURATION ? ms : null;
  }
  function describe(v) {
    if (v === null) return 'null';
    if (Array.isArray(v)) return 'an array';
    if (typeof v === 'object') return 'an object';
    if (typeof v === 'string') return 'string ' + JSON.stringify(v);
    return typeof v + ' ' + String(v);
  }
  const show = (v) => JSON.stringify(v) ?? String(v);

  let gen = 0;
  let inCall = false;
  function keyed() {
    if (!inCall) throw new Error('no current key: keyed state is read and written in code and onTimer, not in open');
  }
  function encode(name, v) {
    const s = JSON.stringify(v);
    if (s === undefined) throw new Error(`state '${name}': cannot store ${typeof v}`);
    return s;
  }

  class ValueHandle {
    constructor(name) { this.name = name; }
    value() { keyed(); const s = H.valueGet(this.name); return s == null ? undefined : JSON.parse(s); }
    update(v) {
      keyed();
      if (v === undefined || v === null) H.valueClear(this.name);
      else H.valuePut(this.name, encode(this.name, v));
    }
    clear() { keyed(); H.valueClear(this.name); }
  }

  class ListHandle {
    constructor(name) { this.name = name; this.g = -1; this.v = null; }
    fail(what) { throw new Error(`state '${this.name}': ${what}`); }
    load() {
      keyed();
      if (this.g !== gen) { this.v = JSON.parse(H.listGet(this.name)); this.g = gen; }
      return this.v;
    }
    check(v) { if (v === undefined || v === null) this.fail('cannot add null or undefined to a list state'); }
    checkAll(vs) {
      if (!Array.isArray(vs)) this.fail('expected an array of values');
      for (let i = 0; i < vs.length; i++) this.check(vs[i]);
    }
    get() { return this.load().slice(); }
    size() { return this.load().length; }
    at(i) {
      if (!Number.isInteger(i)) this.fail(`at needs a whole number, not ${show(i)}`);
      const v = this.load();
      const j = i < 0 ? v.length + i : i;
      return j >= 0 && j < v.length ? v[j] : undefined;
    }
    forEach(fn) {
      if (typeof fn !== 'function') this.fail('forEach needs a function');
      const v = this.load();
      const n = v.length;
      for (let i = 0; i < n; i++) fn(v[i], i);
    }
    add(v) {
      keyed();
      this.check(v);
      const s = encode(this.name, v);
      H.listAdd(this.name, s);
      if (this.g === gen) this.v.push(JSON.parse(s));
    }
    addAll(vs) {
      keyed();
      this.checkAll(vs);
      for (let i = 0; i < vs.length; i++) this.add(vs[i]);
    }
    update(vs) {
      keyed();
      this.checkAll(vs);
      const s = vs.map((v) => encode(this.name, v));
      H.listUpdate(this.name, s.join('\\n'));
      this.v = s.map((x) => JSON.parse(x));
      this.g = gen;
    }
    keepLast(n) {
      if (!Number.isInteger(n) || n < 0) this.fail(`keepLast needs a count (a whole number ≥ 0), not ${show(n)}`);
      keyed();
      H.listKeepLast(this.name, n);
      if (this.g === gen && this.v.length > n) this.v = this.v.slice(this.v.length - n);
    }
    clear() { keyed(); H.listClear(this.name); this.v = []; this.g = gen; }
  }

  const validKey = (k) => typeof k === 'string' || typeof k === 'boolean' || (typeof k === 'number' && Number.isFinite(k));
  const typeRank = (t) => (t === 'boolean' ? 0 : t === 'number' ? 1 : 2);
  function keyBefore(a, b) {
    const ta = typeof a;
    const tb = typeof b;
    return ta === tb ? a < b : typeRank(ta) < typeRank(tb);
  }

  class MapHandle {
    constructor(name) { this.name = name; this.g = -1; this.m = null; }
    fail(what) { throw new Error(`state '${this.name}': ${what}`); }
    load() {
      keyed();
      if (this.g !== gen) { this.m = new Map(JSON.parse(H.mapEntries(this.name))); this.g = gen; }
      return this.m;
    }
    checkKey(k) { if (!validKey(k)) this.fail(`map keys must be strings, finite numbers or booleans, not ${describe(k)}`); }
    get(k) {
      keyed();
      if (this.g === gen) return this.m.get(k);
      if (!validKey(k)) return undefined;
      const s = H.mapGet(this.name, JSON.stringify(k));
      return s == null ? undefined : JSON.parse(s);
    }
    put(k, v) {
      keyed();
      this.checkKey(k);
      if (v === undefined) this.fail('map values cannot be undefined (use remove)');
      const s = encode(this.name, v);
      H.mapPut(this.name, JSON.stringify(k), s);
      if (this.g === gen) this.m.set(k === 0 ? 0 : k, JSON.parse(s));
    }
    increment(k, by = 1) {
      keyed();
      this.checkKey(k);
      if (typeof by !== 'number' || !Number.isFinite(by)) this.fail(`increment needs a finite number, not ${describe(by)}`);
      const old = this.get(k);
      if (old !== undefined && typeof old !== 'number') this.fail(`increment: the value at ${JSON.stringify(k)} is not a number`);
      const v = (old === undefined ? 0 : old) + by;
      this.put(k, v);
      return v;
    }
    remove(k) {
      keyed();
      if (!validKey(k)) return;
      H.mapRemove(this.name, JSON.stringify(k));
      if (this.g === gen) this.m.delete(k);
    }
    contains(k) {
      keyed();
      if (this.g === gen) return this.m.has(k);
      return validKey(k) && H.mapContains(this.name, JSON.stringify(k));
    }
    entries() { return [...this.load().entries()]; }
    keys() { return [...this.load().keys()]; }
    values() { return [...this.load().values()]; }
    forEach(fn) {
      if (typeof fn !== 'function') this.fail('forEach needs a function');
      for (const [k, v] of [...this.load()]) fn(v, k);
    }
    size() { return this.load().size; }
    isEmpty() { return this.load().size === 0; }
    top(n) {
      if (!Number.isInteger(n) || n < 0) this.fail(`top needs a count (a whole number ≥ 0), not ${describe(n)}`);
      const ranked = [];
      for (const [k, v] of this.load()) if (typeof v === 'number' && v === v) ranked.push([k, v]);
      ranked.sort((a, b) => (a[1] > b[1] ? -1 : a[1] < b[1] ? 1 : keyBefore(a[0], b[0]) ? -1 : keyBefore(b[0], a[0]) ? 1 : 0));
      return ranked.slice(0, n);
    }
    clear() { keyed(); H.mapClear(this.name); this.m = new Map(); this.g = gen; }
  }

  // heap-backend.ts register(): a state is used as declared; another kind or other options fail.
  const states = new Map();
  const describeState = (kind, c) => (c.ttl === 0 ? `${kind} state without TTL` : `${kind} state with ttl ${c.ttl} ms (${c.update})`);
  function ttlConfig(name, opts) {
    if (opts === undefined) return { ttl: 0, update: 'onCreateAndWrite' };
    const update = opts.ttlUpdate ?? 'onCreateAndWrite';
    if (update !== 'onCreateAndWrite' && update !== 'onReadAndWrite') throw new Error(`state '${name}': ttlUpdate must be 'onCreateAndWrite' or 'onReadAndWrite', not ${JSON.stringify(update)}`);
    if (opts.ttl === undefined) {
      if (opts.ttlUpdate !== undefined) throw new Error(`state '${name}': ttlUpdate needs a ttl`);
      return { ttl: 0, update: 'onCreateAndWrite' };
    }
    if (typeof opts.ttl !== 'number' || !Number.isFinite(opts.ttl) || opts.ttl <= 0) throw new Error(`state '${name}': ttl must be a positive number of milliseconds, not ${JSON.stringify(opts.ttl)}`);
    return { ttl: opts.ttl, update };
  }
  const sameTtl = (a, b) => a.ttl === b.ttl && (a.ttl === 0 || a.update === b.update);
  // context.ts stateOptions(): `{ttl, ttlUpdate}` from code, ttl as a duration.
  function stateOptions(name, opts) {
    if (opts === undefined) return undefined;
    if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new Error(`state '${name}': options must be an object such as { ttl: '30m' }`);
    for (const k in opts) if (k !== 'ttl' && k !== 'ttlUpdate') throw new Error(`state '${name}': unknown option '${k}' (the options are ttl and ttlUpdate)`);
    if (opts.ttl === undefined) return { ttlUpdate: opts.ttlUpdate };
    const ttl = parseDuration(opts.ttl);
    if (ttl === null) throw new Error(`state '${name}': invalid ttl ${JSON.stringify(opts.ttl)}: use milliseconds or "<n><unit>" with unit ms, s, m, h or d`);
    return { ttl, ttlUpdate: opts.ttlUpdate };
  }
  function register(kind, name, opts) {
    const have = states.get(name);
    if (have !== undefined) {
      if (have.kind !== kind) throw new Error(`state '${name}' is a ${have.kind} state; it cannot also be used as a ${kind} state`);
      if (opts !== undefined) {
        const cfg = ttlConfig(name, opts);
        if (!sameTtl(cfg, have.cfg)) throw new Error(`state '${name}' is a ${describeState(have.kind, have.cfg)}; it was asked for as a ${describeState(kind, cfg)}`);
      }
      return have.handle;
    }
    if (typeof name !== 'string' || name === '') throw new Error('a state needs a name (a non-empty string)');
    const cfg = ttlConfig(name, opts);
    H.declare(kind, name, cfg.ttl, cfg.update === 'onReadAndWrite');
    const handle = kind === 'value' ? new ValueHandle(name) : kind === 'list' ? new ListHandle(name) : new MapHandle(name);
    states.set(name, { kind, cfg, handle });
    return handle;
  }
  for (const [name, d] of Object.entries(JSON.parse(declared))) {
    register(d.kind, name, d.ttl === undefined ? undefined : { ttl: d.ttl, ttlUpdate: d.ttlUpdate });
  }

  function setTimer(domain, del, ts) {
    if (typeof ts !== 'number' || !Number.isFinite(ts)) throw new Error(`a timer needs a finite timestamp in epoch ms, not ${show(ts)}`);
    H.timer(domain, del, ts);
  }
  const ctx = {
    key: null,
    timestamp: 0,
    watermark: -Infinity,
    get now() { return H.now(); },
    emit(record, port = 'out') {
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        throw new Error(`ctx.emit needs an object, not ${record === null ? 'null' : Array.isArray(record) ? 'an array' : typeof record}`);
      }
      if (node !== 'process') {
        // connect and broadcast (host-calls.ts emitFromCode of their operators) have one port.
        if (port !== 'out') throw new Error(`ctx.emit: no port ${JSON.stringify(port)}; the ${node} node has 'out'`);
      }
      const i = port === 'out' ? 0 : port === 'side' ? 1 : -1;
      if (i < 0) throw new Error(`ctx.emit: no port ${JSON.stringify(port)}; the ports are 'out' and 'side'`);
      H.emit(JSON.stringify(record), i);
    },
    state: Object.freeze({
      value: (name, opts) => register('value', name, stateOptions(name, opts)),
      list: (name, opts) => register('list', name, stateOptions(name, opts)),
      map: (name, opts) => register('map', name, stateOptions(name, opts)),
    }),
    timers: Object.freeze({
      eventTime: (ts) => setTimer(0, false, ts),
      processingTime: (ts) => setTimer(1, false, ts),
      deleteEventTime: (ts) => setTimer(0, true, ts),
      deleteProcessingTime: (ts) => setTimer(1, true, ts),
    }),
  };

  // The broadcast node's state (runtime/nodes/broadcast/state.ts): one map for the operator, read
  // by the main side as frozen copies, written by the broadcast side. Reloaded from Flink's
  // broadcast state only when a write changed it (H.broadcastVersion).
  let bVersion = -1;
  let bMap = null;
  function deepFreeze(v) {
    if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
      Object.freeze(v);
      for (const k of Object.keys(v)) deepFreeze(v[k]);
    }
    return v;
  }
  function bLoad() {
    const v = H.broadcastVersion();
    if (v !== bVersion) {
      bMap = new Map(JSON.parse(H.broadcastEntries()).map(([k, x]) => [k, deepFreeze(x)]));
      bVersion = v;
    }
    return bMap;
  }
  function bKey(k) {
    if (typeof k === 'string' || typeof k === 'boolean' || (typeof k === 'number' && Number.isFinite(k))) return k === 0 ? 0 : k;
    throw new Error(`a broadcast state key must be a string, a finite number or a boolean, not ${k === null ? 'null' : typeof k}`);
  }
  const readOnly = Object.freeze({
    get: (k) => bLoad().get(k),
    contains: (k) => bLoad().has(k),
    keys: () => [...bLoad().keys()],
    entries: () => [...bLoad().entries()],
    size: () => bLoad().size,
  });
  const writable = Object.freeze({
    ...readOnly,
    put(k, v) {
      const key = bKey(k);
      if (v === null || v === undefined) H.broadcastRemove(JSON.stringify(key));
      else H.broadcastPut(JSON.stringify(key), JSON.stringify(v));
    },
    remove: (k) => H.broadcastRemove(JSON.stringify(bKey(k))),
    clear: () => H.broadcastClear(),
  });
  if (node === 'broadcast') ctx.broadcast = readOnly;
  const bctx = {
    broadcast: writable,
    timestamp: 0,
    watermark: -Infinity,
    get now() { return H.now(); },
    emit(record) {
      if (typeof record !== 'object' || record === null || Array.isArray(record)) {
        throw new Error(`ctx.emit needs an object, not ${record === null ? 'null' : Array.isArray(record) ? 'an array' : typeof record}`);
      }
      H.emit(JSON.stringify(record), 0);
    },
  };

  const self = {};
  const fn = code === null ? null : new Function('event', 'ctx', code);
  const fn2 = code2 === null ? null : new Function('event', 'ctx', code2);
  const bFn = onBroadcast === null ? null : new Function('event', 'ctx', onBroadcast);
  const timerFn = onTimer === null ? null : new Function('timer', 'ctx', onTimer);
  const message = (e) => (e instanceof Error ? e.message : String(e));
  if (open !== null) {
    try {
      new Function('ctx', open).call(self, ctx);
    } catch (e) {
      return 'open: ' + message(e);
    }
  }

  // Or, when `open` failed, its message (above). One call per record (domain -1; connect's right
  // side -2; a broadcast record -3) or timer (0 event, 1 processing): null, or the error's message.
  return function call(domain, arg, ts, wm, key) {
    if (domain === -3) {
      bctx.timestamp = ts;
      bctx.watermark = wm;
      try {
        bFn.call(self, JSON.parse(arg), bctx);
        return null;
      } catch (e) {
        return message(e);
      }
    }
    gen++;
    ctx.key = JSON.parse(key);
    ctx.timestamp = ts;
    ctx.watermark = wm;
    inCall = true;
    try {
      if (domain === -1) fn.call(self, JSON.parse(arg), ctx);
      else if (domain === -2) fn2.call(self, JSON.parse(arg), ctx);
      else if (timerFn !== null) timerFn.call(self, { timestamp: ts, domain: domain === 0 ? 'event' : 'processing' }, ctx);
      return null;
    } catch (e) {
      return message(e);
    } finally {
      inCall = false;
    }
  };
})
""";
}
