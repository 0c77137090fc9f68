// The runtime host's process in the desktop app: an Electron utilityProcess, one per window, so a
// busy or crashing pipeline never freezes the window. It runs the same host code as browser mode
// (runtime/host/serve-port.ts), serving the contract over the MessagePort the main process sends
// first, with the workspace and trust store the main process names.
import type { MessagePortMain } from 'electron';
import type { PortLike } from '../runtime/host/port-channel.js';
import type { RuntimeHost } from '../runtime/host/runtime-host.js';
import { type HostProcessConfig, isHostConfig, serveHostOnPort } from '../runtime/host/serve-port.js';

export type { HostProcessConfig };

export function serveHost(config: HostProcessConfig, port: PortLike): RuntimeHost {
  // The window is gone: the job has flushed its sinks; end.
  return serveHostOnPort(config, port, () => {
    clearInterval(keepAlive);
    process.exit(0);
  });
}

// Stay alive until the main process's port arrives and for as long as it is open: whether a port
// alone holds the event loop open has differed between dev runs and packaged apps
// (electron/electron#42978), and a host that quietly exits would look like a crash.
const keepAlive = setInterval(() => undefined, 2 ** 30);

process.parentPort.once('message', (e: { data: unknown; ports: MessagePortMain[] }) => {
  const port = e.ports[0];
  if (!port || !isHostConfig(e.data)) {
    process.stderr.write('tributary host: expected a configuration and a port from the main process\n');
    process.exit(2);
  }
  serveHost(e.data, port);
});
