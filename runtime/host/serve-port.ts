// The runtime host serving one editor over a MessagePort from a process or thread of its own: the
// desktop app's utilityProcess (electron/host-process.ts) and browser mode's worker thread
// (host-thread.ts) run this same code, configured by plain data from whoever started them.
import { type PortLike, portChannel } from './port-channel.js';
import { type RuntimeHost, serveHost } from './runtime-host.js';
import { TrustStore } from './trust.js';
import { Workspace } from './workspace.js';

/** What the host's starter sends: where the files are, and the trust store (shared with the CLI). */
export interface HostProcessConfig {
  readonly root: string;
  readonly version: string;
  readonly trustFile: string;
  readonly templatesDir?: string;
  /** The workspace file to open at start (`tributary studio <file>`). */
  readonly initialFile?: string | null;
  /** Documents may come from absolute paths outside the workspace (the desktop app, whose main process checks them). */
  readonly outsideFiles?: boolean;
}

export function isHostConfig(v: unknown): v is HostProcessConfig {
  const c = v as Partial<HostProcessConfig> | null;
  return (
    !!c &&
    typeof c.root === 'string' &&
    typeof c.version === 'string' &&
    typeof c.trustFile === 'string' &&
    (c.templatesDir === undefined || typeof c.templatesDir === 'string') &&
    (c.initialFile === undefined || c.initialFile === null || typeof c.initialFile === 'string') &&
    (c.outsideFiles === undefined || typeof c.outsideFiles === 'boolean')
  );
}

/** Serves a host on `port`; once the port closes, its job flushes its sinks and `exit` is called. */
export function serveHostOnPort(config: HostProcessConfig, port: PortLike, exit: () => void): RuntimeHost {
  const channel = portChannel(port);
  const workspace = config.templatesDir ? new Workspace(config.root, config.templatesDir) : new Workspace(config.root);
  const host = serveHost(channel, { workspace, version: config.version, initialFile: config.initialFile ?? null, trustStore: new TrustStore(config.trustFile), outsideFiles: config.outsideFiles === true });
  channel.onClose(() => void host.idle().then(exit));
  return host;
}
