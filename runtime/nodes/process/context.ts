// The `ctx` a process node's code sees. One object per operator, updated before each call: the
// per-record cost is a few field writes, and the helper objects are made once.
import { parseDuration } from '../../format/duration.js';
import type { KeyedStateBackend, ListState, MapState, StateOptions, ValueState } from '../../engine/state/types.js';
import type { Key, TtlUpdate } from '../../engine/state/types.js';

/** What the context needs from its operator. */
export interface ProcessHost {
  readonly states: KeyedStateBackend;
  now(): number;
  emitFromCode(record: unknown, port: unknown): void;
  timer(domain: 'event' | 'processing', del: boolean, ts: unknown): void;
}

export interface StateAccess {
  value(name: string, opts?: unknown): ValueState;
  list(name: string, opts?: unknown): ListState;
  map(name: string, opts?: unknown): MapState;
}

export interface TimerAccess {
  eventTime(ts: number): void;
  processingTime(ts: number): void;
  deleteEventTime(ts: number): void;
  deleteProcessingTime(ts: number): void;
}

export class ProcessContext {
  key: Key = null;
  timestamp = 0;
  watermark = -Infinity;
  readonly state: StateAccess;
  readonly timers: TimerAccess;

  constructor(private readonly host: ProcessHost) {
    const states = host.states;
    this.state = Object.freeze({
      value: (name: string, opts?: unknown) => states.value(name, stateOptions(name, opts)),
      list: (name: string, opts?: unknown) => states.list(name, stateOptions(name, opts)),
      map: (name: string, opts?: unknown) => states.map(name, stateOptions(name, opts)),
    });
    this.timers = Object.freeze({
      eventTime: (ts: number) => host.timer('event', false, ts),
      processingTime: (ts: number) => host.timer('processing', false, ts),
      deleteEventTime: (ts: number) => host.timer('event', true, ts),
      deleteProcessingTime: (ts: number) => host.timer('processing', true, ts),
    });
  }

  /** Processing time, epoch ms. */
  get now(): number {
    return this.host.now();
  }

  emit(record: unknown, port: unknown = 'out'): void {
    this.host.emitFromCode(record, port);
  }
}

/** `{ttl, ttlUpdate}` from code, ttl as a duration ("30m" or ms). */
function stateOptions(name: string, opts: unknown): StateOptions | undefined {
  if (opts === undefined) return undefined;
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new Error(`state '${name}': options must be an object such as { ttl: '30m' }`);
  const o = opts as Record<string, unknown>;
  for (const k in o) if (k !== 'ttl' && k !== 'ttlUpdate') throw new Error(`state '${name}': unknown option '${k}' (the options are ttl and ttlUpdate)`);
  if (o.ttl === undefined) return { ttlUpdate: o.ttlUpdate as TtlUpdate | undefined };
  const ttl = parseDuration(o.ttl);
  if (ttl === null) throw new Error(`state '${name}': invalid ttl ${JSON.stringify(o.ttl)}: use milliseconds or "<n><unit>" with unit ms, s, m, h or d`);
  return { ttl, ttlUpdate: o.ttlUpdate as TtlUpdate | undefined };
}
