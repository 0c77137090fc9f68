// Browser mode runs each editor's runtime host in a worker thread of the studio process, supervised
// as the desktop app supervises its utilityProcess (host-supervisor.ts): the engine and the
// pipeline's code never run on the thread that serves the page and answers Stop and Ctrl-C.
import { join } from 'node:path';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { type HostApi, METHOD_NAMES, type MethodName } from './contract.js';
import type { HostProcess, HostSupervisor } from './host-supervisor.js';
import { INSTALL_DIR } from './install.js';
import type { PortLike } from './port-channel.js';
import type { HostProcessConfig } from './serve-port.js';

/** The compiled thread entry (the studio runs from the build, and tests build first). */
export const HOST_THREAD_ENTRY = join(INSTALL_DIR, 'dist', 'runtime', 'host', 'host-thread.js');

/** A Node MessagePort as the `{ data }`-event port the host's channel expects (as Electron's). */
export function nodePort(port: MessagePort): PortLike {
  const wrapped = new Map<(e: { data: unknown }) => void, (data: unknown) => void>();
  const adapter: PortLike = {
    postMessage: (msg) => port.postMessage(msg),
    on(event: 'message' | 'close', fn: ((e: { data: unknown }) => void) | (() => void)) {
      if (event === 'close') port.on('close', fn as () => void);
      else {
        const l = (data: unknown) => (fn as (e: { data: unknown }) => void)({ data });
        wrapped.set(fn as (e: { data: unknown }) => void, l);
        port.on('message', l);
      }
      return adapter;
    },
    off(_event, fn) {
      const l = wrapped.get(fn);
      if (l) port.off('message', l);
      wrapped.delete(fn);
      return adapter;
    },
    start: () => port.start(),
    close: () => port.close(),
  };
  return adapter;
}

/** Starts a host thread; `log` hears what made one fail. */
export function launchHostThread(config: HostProcessConfig, log: (msg: string) => void): HostProcess {
  const worker = new Worker(HOST_THREAD_ENTRY, { workerData: config });
  // An uncaught error ends the thread (reported as its exit); unheard, it would end the process.
  worker.on('error', (err) => log(`runtime host thread failed: ${err.stack ?? err.message}`));
  const { port1, port2 } = new MessageChannel();
  worker.postMessage(port1, [port1]);
  return {
    port: nodePort(port2),
    onExit: (fn) => void worker.once('exit', fn),
    kill: () => void worker.terminate(),
  };
}

/** The contract served by a supervised host: Run and Stop through the supervisor, the rest as they are. */
export function supervisedApi(host: HostSupervisor, stopGraceMs?: number): HostApi {
  const api = Object.fromEntries(METHOD_NAMES.map((m) => [m, (p: never) => host.call(m, p)])) as unknown as Record<MethodName, unknown>;
  return { ...(api as HostApi), run: (p) => host.run(p), stop: (p) => host.stop(stopGraceMs, p.savepoint) };
}
