// The wire protocol of the host contract, independent of the transport: requests, responses and
// events as plain messages over any `Channel` (a WebSocket, an Electron MessagePort). Isomorphic.
import {
  type CheckedParamsOf,
  EVENT_NAMES,
  type EventName,
  type HostApi,
  type HostEvents,
  METHOD_PARAMS,
  type MethodName,
  type ParamsOf,
  type ResultOf,
} from './contract.js';

export type WireMessage =
  | { readonly kind: 'call'; readonly id: number; readonly method: string; readonly params: unknown }
  | { readonly kind: 'result'; readonly id: number; readonly result: unknown }
  | { readonly kind: 'error'; readonly id: number; readonly message: string }
  | { readonly kind: 'event'; readonly event: string; readonly data: unknown };

/** A message pipe. Transports adapt a WebSocket or a MessagePort to this. */
export interface Channel {
  send(msg: WireMessage): void;
  /** Returns a function that removes the listener. */
  onMessage(fn: (msg: WireMessage) => void): () => void;
  /** `reason`: what the other side said when it closed, if anything (a WebSocket's close reason). */
  onClose(fn: (reason?: string) => void): void;
}

/** The error a call rejects with when the host answered with an error. */
export class RpcError extends Error {
  override readonly name = 'RpcError';
}

export interface HostClient {
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  on<E extends EventName>(event: E, fn: (data: HostEvents[E]) => void): () => void;
  /** Called when the connection to the host is lost (with the host's reason, when it gave one); pending calls reject. */
  onClose(fn: (reason?: string) => void): void;
}

export function createClient(channel: Channel): HostClient {
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(data: any) => void>>();
  const closeFns: ((reason?: string) => void)[] = [];
  channel.onMessage((msg) => {
    if (msg.kind === 'event') {
      for (const fn of listeners.get(msg.event) ?? []) fn(msg.data);
      return;
    }
    if (msg.kind !== 'result' && msg.kind !== 'error') return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.kind === 'result') p.resolve(msg.result);
    else p.reject(new RpcError(msg.message));
  });
  channel.onClose((reason) => {
    closed = true;
    for (const p of pending.values()) p.reject(new RpcError(reason ? `the runtime host closed the connection: ${reason}` : 'the connection to the runtime host was lost'));
    pending.clear();
    for (const fn of closeFns) fn(reason);
  });
  return {
    call(method, params) {
      if (closed) return Promise.reject(new RpcError('the connection to the runtime host was lost'));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        channel.send({ kind: 'call', id, method, params });
      });
    },
    on(event, fn) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(fn);
      return () => set.delete(fn);
    },
    onClose(fn) {
      closeFns.push(fn);
    },
  };
}

/** Sends host events to one connected client. */
export type EventSink = <E extends EventName>(event: E, data: HostEvents[E]) => void;

export function eventSink(channel: Channel): EventSink {
  return (event, data) => channel.send({ kind: 'event', event, data });
}

function isMethod(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(METHOD_PARAMS, name);
}

/**
 * Answer calls arriving on `channel` with `api`. Only the contract's methods are reachable, and
 * their params are checked against the contract's schemas before the host sees them.
 */
export function serveApi(api: HostApi, channel: Channel): void {
  channel.onMessage((msg) => {
    if (msg.kind !== 'call' || typeof msg.id !== 'number') return;
    const { id } = msg;
    if (!isMethod(msg.method)) {
      channel.send({ kind: 'error', id, message: `unknown method ${JSON.stringify(msg.method)}` });
      return;
    }
    const method = msg.method;
    const parsed = METHOD_PARAMS[method].safeParse(msg.params ?? {});
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      channel.send({ kind: 'error', id, message: `${method}: bad params at ${first?.path.join('.') || '(root)'}: ${first?.message}` });
      return;
    }
    const fn = api[method] as (p: CheckedParamsOf<typeof method>) => Promise<unknown>;
    fn.call(api, parsed.data as CheckedParamsOf<typeof method>).then(
      (result) => channel.send({ kind: 'result', id, result }),
      (err: unknown) => channel.send({ kind: 'error', id, message: err instanceof Error ? err.message : String(err) }),
    );
  });
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name);
}
