// Two connected in-process channels, carrying messages through structured cloning as a
// MessagePort would: the store talks to a real runtime host without a socket or a browser.
import type { Channel, WireMessage } from '../../runtime/host/rpc.js';

export function channelPair(): [Channel, Channel, () => void] {
  const listeners: [((m: WireMessage) => void)[], ((m: WireMessage) => void)[]] = [[], []];
  const closers: [(() => void)[], (() => void)[]] = [[], []];
  let closed = false;
  const end = (me: 0 | 1): Channel => ({
    send(msg) {
      if (closed) return;
      const copy = structuredClone(msg);
      queueMicrotask(() => {
        for (const l of listeners[1 - me]!) l(copy);
      });
    },
    onMessage(fn) {
      listeners[me].push(fn);
      return () => listeners[me].splice(listeners[me].indexOf(fn), 1);
    },
    onClose(fn) {
      closers[me].push(fn);
    },
  });
  const close = () => {
    closed = true;
    for (const c of [...closers[0], ...closers[1]]) c();
  };
  return [end(0), end(1), close];
}
