// A Node MessagePort dressed as Electron's MessagePortMain ({ data } events), for running the
// desktop host's real entry in a worker thread. Plain JavaScript: worker threads load it untransformed.
export function asPortMain(port) {
  const wrapped = new Map();
  return {
    postMessage: (msg) => port.postMessage(msg),
    on(event, fn) {
      if (event === 'message') {
        const l = (data) => fn({ data });
        wrapped.set(fn, l);
        port.on('message', l);
      } else port.on(event, fn);
      return this;
    },
    off(event, fn) {
      port.off(event, wrapped.get(fn) ?? fn);
      return this;
    },
    start: () => port.start(),
    close: () => port.close(),
  };
}
