// The runtime host's process in the desktop app: an Electron utilityProcess, one per window, so a
// busy or crashing pipeline never freezes the window. It runs the same host code as browser mode
// (runtime/host/runtime-host.ts), serving the contract over the MessagePort the main process sends
// first, with the workspace and trust store the main process names.
import type { MessagePortMain } from 'electron';
import { type PortLike, portChannel } from '../runtime/host/port-channel.js';
import { type RuntimeHost, serveHost as serveHostOn } from '../runtime/host/runtime-host.js';
import { TrustStore } from '../runtime/host/trust.js';
import { Workspace } from '../runtime/host/workspace.js';

/** What the main process sends with the port. */
export interface HostProcessConfig {
  readonly root: string;
  readonly version: string;
  readonly trustFile: string;
  readonly templatesDir?: string;
}

function isConfig(v: unknown): v is HostProcessConfig {
  const c = v as Partial<HostProcessConfig> | null;
  return !!c && typeof c.root === 'string' && typeof c.version === 'string' && typeof c.trustFile === 'string' && (c.templatesDir === undefined || typeof c.templatesDir === 'string');
}

export function serveHost(config: HostProcessConfig, port: PortLike): RuntimeHost {
  const channel = portChannel(port);
  const workspace = config.templatesDir ? new Workspace(config.root, config.templatesDir) : new Workspace(config.root);
  // The same serving as browser mode: the host is disposed when the port closes.
  const host = serveHostOn(channel, { workspace, version: config.version, trustStore: new TrustStore(config.trustFile) });
  // The window is gone: let the job flush its sinks, then end.
  channel.onClose(() => {
    void host.idle().then(() => {
      clearInterval(keepAlive);
      process.exit(0);
    });
  });
  return host;
}

// Stay alive until the main process's port arrives and for as long as it is open: whether a port
// alone holds the event loop open has differed between dev runs and packaged apps
// (electron/electron#42978), and a host that quietly exits would look like a crash.
const keepAlive = setInterval(() => undefined, 2 ** 30);

process.parentPort.once('message', (e: { data: unknown; ports: MessagePortMain[] }) => {
  const port = e.ports[0];
  if (!port || !isConfig(e.data)) {
    process.stderr.write('tributary host: expected a configuration and a port from the main process\n');
    process.exit(2);
  }
  serveHost(e.data, port);
});
