// The desktop transport of the host contract: a `Channel` over a MessagePort. Electron's
// MessagePortMain (main process and utilityProcess alike) delivers `{ data }` events and
// structured-clones what is posted, so wire messages cross as objects, never as JSON text.
import type { Channel, WireMessage } from './rpc.js';

/** The part of Electron's MessagePortMain this adapter uses (tests pass a Node MessagePort shim). */
export interface PortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  off(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  start(): void;
  close(): void;
}

export interface PortChannel extends Channel {
  /** Close from this side (e.g. the process on the other end died); close listeners run once. */
  close(): void;
}

function isWireMessage(v: unknown): v is WireMessage {
  return v !== null && typeof v === 'object' && typeof (v as { kind?: unknown }).kind === 'string';
}

export function portChannel(port: PortLike): PortChannel {
  let closed = false;
  const closeFns: (() => void)[] = [];
  const onClosed = () => {
    if (closed) return;
    closed = true;
    for (const fn of closeFns.splice(0)) fn();
  };
  port.on('close', onClosed);
  const channel: PortChannel = {
    send(msg) {
      if (!closed) port.postMessage(msg);
    },
    onMessage(fn) {
      const listener = (e: { data: unknown }) => {
        if (!closed && isWireMessage(e.data)) fn(e.data);
      };
      port.on('message', listener);
      return () => port.off('message', listener);
    },
    onClose(fn) {
      if (closed) fn();
      else closeFns.push(fn);
    },
    close() {
      if (closed) return;
      onClosed();
      port.close();
    },
  };
  // Messages queue on a MessagePortMain until it is started.
  port.start();
  return channel;
}
