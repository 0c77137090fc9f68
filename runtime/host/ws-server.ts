// Browser mode's server: the built editor over HTTP and the runtime host over a WebSocket, both on
// 127.0.0.1 only. The WebSocket needs the per-launch token (carried in the page URL's fragment, so
// it is never sent in a Referer or logged) and a same-origin Origin; the Host header must name
// this server (no DNS rebinding). Every page is served under a strict Content-Security-Policy.
// Each connected editor's host runs in a worker thread of its own (thread-host.ts), so this thread
// always answers: Stop ends a pipeline stuck in its own code, and Ctrl-C stops the studio.
// No client can take the server down: a bad frame (invalid UTF-8, a message over the limit) closes
// that client's socket with the protocol's code (1007, 1009), and the rest keep running.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { MAX_DOCUMENT_CHARS } from './contract.js';
import { contentSecurityPolicyFor, PAGE_HEADERS } from './csp.js';
import { HostSupervisor, STOP_GRACE_MS } from './host-supervisor.js';
import { type Channel, eventSink, serveApi, type WireMessage } from './rpc.js';
import type { HostProcessConfig } from './serve-port.js';
import { readStaticFile } from './static-files.js';
import { launchHostThread, supervisedApi } from './thread-host.js';
import { stateDir } from './trust.js';
import type { Workspace } from './workspace.js';

export interface StudioOptions {
  readonly workspace: Workspace;
  readonly staticDir: string;
  readonly version: string;
  /** Workspace-relative pipeline file to open first. */
  readonly initialFile?: string | null;
  readonly port?: number;
  readonly token?: string;
  /** The trust store's file (shared with the CLI); the user's own by default. */
  readonly trustFile?: string;
  /** How long Stop, or an editor going away, may take before its host thread is ended. */
  readonly stopGraceMs?: number;
}

export interface StudioServer {
  /** The page to open, with the token in its fragment. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Stops every connection's job, then the server. */
  close(): Promise<void>;
}

/** A reason the studio cannot start that the user can act on (a busy port): shown as a message, not a stack trace. */
export class StudioError extends Error {
  override readonly name = 'StudioError';
}

/** The policy the page runs under; the desktop app's window sets the same one (csp.ts). */
export function contentSecurityPolicy(port: number): string {
  return contentSecurityPolicyFor(["'self'", `ws://127.0.0.1:${port}`, `ws://localhost:${port}`]);
}

/**
 * The largest message a client may send: a Save of the longest document the host accepts, every
 * character three UTF-8 bytes (JSON keeps non-ASCII text as it is; `"` and `\` escape to two
 * bytes), plus room for the envelope. A Run carries the document as an object, more compact than
 * its pretty-printed text. Larger: the socket is closed with 1009 (Message Too Big).
 */
export const MAX_MESSAGE_BYTES = MAX_DOCUMENT_CHARS * 3 + 64 * 1024;

/**
 * Editors connected at once. Each gets a worker thread of its own (tens of MB before its pipeline
 * holds anything), so forty stray tabs would hold gigabytes; one more is closed with 1013 (Try
 * Again Later) and a reason saying so. Editors whose job is still flushing after they left count.
 */
export const MAX_EDITORS = 8;

/** Events that only refresh a view may be dropped for a client that reads too slowly. */
const DROPPABLE = new Set(['metrics', 'tap', 'console']);
const SLOW_CLIENT_BYTES = 8 * 1024 * 1024;

function channelOf(ws: WebSocket): Channel {
  return {
    send(msg: WireMessage) {
      if (ws.readyState !== ws.OPEN) return;
      if (msg.kind === 'event' && DROPPABLE.has(msg.event) && ws.bufferedAmount > SLOW_CLIENT_BYTES) return;
      ws.send(JSON.stringify(msg));
    },
    onMessage(fn) {
      const listener = (data: Buffer, isBinary: boolean) => {
        if (isBinary) return;
        let msg: unknown;
        try {
          msg = JSON.parse(data.toString('utf8'));
        } catch {
          return;
        }
        if (msg && typeof msg === 'object') fn(msg as WireMessage);
      };
      ws.on('message', listener);
      return () => ws.off('message', listener);
    },
    onClose(fn) {
      ws.on('close', () => fn());
    },
  };
}

function sameToken(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function serveStudio(opts: StudioOptions): Promise<StudioServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  let port = opts.port ?? 0;
  const hosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const server: Server = createServer((req, res) => {
    const headers = {
      'content-security-policy': contentSecurityPolicy(port),
      ...PAGE_HEADERS,
      'cross-origin-opener-policy': 'same-origin',
    };
    if (!hosts().has(req.headers.host ?? '')) {
      res.writeHead(421, headers).end('wrong host\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    readStaticFile(opts.staticDir, new URL(req.url ?? '/', 'http://127.0.0.1').pathname).then(
      (file) => {
        if (!file) res.writeHead(404, headers).end('not found\n');
        else res.writeHead(200, { ...headers, 'content-type': file.type }).end(req.method === 'HEAD' ? undefined : file.body);
      },
      () => res.writeHead(500, headers).end(),
    );
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const grace = opts.stopGraceMs ?? STOP_GRACE_MS;
  const config: HostProcessConfig = {
    root: opts.workspace.root,
    templatesDir: opts.workspace.templatesDir,
    version: opts.version,
    initialFile: opts.initialFile ?? null,
    trustFile: opts.trustFile ?? join(stateDir(), 'trusted.json'),
  };
  const log = (msg: string) => void process.stderr.write(`tributary: ${msg}\n`);
  const connected = new Set<HostSupervisor>();
  // Hosts whose editor went away, until their job has flushed and their thread ended.
  const leaving = new Set<Promise<void>>();
  const retire = (host: HostSupervisor) => {
    if (!connected.delete(host)) return;
    const done = host.dispose(grace);
    leaving.add(done);
    void done.then(() => leaving.delete(done));
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client that resets mid-handshake must not end the process with an unheard 'error'.
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/rpc') return refuse('404 Not Found');
    if (!hosts().has(req.headers.host ?? '')) return refuse('421 Misdirected Request');
    if (!origins().has(req.headers.origin ?? '')) return refuse('403 Forbidden');
    if (!sameToken(url.searchParams.get('token'), token)) return refuse('401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      // ws closes the socket itself (1007 for invalid UTF-8, 1009 for a message over maxPayload,
      // 1002 for a protocol error) and then reports it here: without a listener the report would
      // be an unhandled 'error' that ends the studio and every other editor's job.
      ws.on('error', (err) => log(`closed an editor's connection: ${err.message}`));
      if (connected.size + leaving.size >= MAX_EDITORS) {
        ws.close(1013, `too many editors: at most ${MAX_EDITORS} at once; close another tab, then reload`);
        return;
      }
      const channel = channelOf(ws);
      // The thread starts with the editor's first call; a crashed one is replaced on the next.
      const host = new HostSupervisor(() => launchHostThread(config, log), { event: eventSink(channel), status: () => undefined });
      connected.add(host);
      serveApi(supervisedApi(host, grace), channel);
      ws.on('close', () => retire(host));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new StudioError(`port ${port} on 127.0.0.1 is in use: pass another --port, or none to take a free one`));
      else if (err.code === 'EACCES') reject(new StudioError(`port ${port} on 127.0.0.1 needs privileges this user lacks: pass a port above 1023, or none to take a free one`));
      else reject(err);
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : port;
  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    async close() {
      // Every job stops and flushes its sinks (a stuck one is ended after the grace period).
      for (const host of [...connected]) retire(host);
      await Promise.all([...leaving]);
      for (const ws of wss.clients) ws.terminate();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}
