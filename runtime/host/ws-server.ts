// Browser mode's server: the built editor over HTTP and the runtime host over a WebSocket, both on
// 127.0.0.1 only. The WebSocket needs the per-launch token (carried in the page URL's fragment, so
// it is never sent in a Referer or logged) and a same-origin Origin; the Host header must name
// this server (no DNS rebinding). Every page is served under a strict Content-Security-Policy.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { extname, join, normalize, sep } from 'node:path';
import { type WebSocket, WebSocketServer } from 'ws';
import { type RuntimeHost, serveHost } from './runtime-host.js';
import type { Channel, WireMessage } from './rpc.js';
import type { TrustStore } from './trust.js';
import type { Workspace } from './workspace.js';

export interface StudioOptions {
  readonly workspace: Workspace;
  readonly staticDir: string;
  readonly version: string;
  /** Workspace-relative pipeline file to open first. */
  readonly initialFile?: string | null;
  readonly port?: number;
  readonly token?: string;
  readonly trustStore?: TrustStore;
}

export interface StudioServer {
  /** The page to open, with the token in its fragment. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Stops every connection's job, then the server. */
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

/** The policy the page runs under; the desktop app's window sets the same one. */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    // Monaco and React Flow inject <style> elements at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

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
      ws.on('close', fn);
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
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cache-control': 'no-store',
    };
    if (!hosts().has(req.headers.host ?? '')) {
      res.writeHead(421, headers).end('wrong host\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    serveFile(opts.staticDir, req).then(
      (file) => {
        if (!file) res.writeHead(404, headers).end('not found\n');
        else res.writeHead(200, { ...headers, 'content-type': file.type }).end(req.method === 'HEAD' ? undefined : file.body);
      },
      () => res.writeHead(500, headers).end(),
    );
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  const hostsByWs = new Map<WebSocket, RuntimeHost>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/rpc') return refuse('404 Not Found');
    if (!hosts().has(req.headers.host ?? '')) return refuse('421 Misdirected Request');
    if (!origins().has(req.headers.origin ?? '')) return refuse('403 Forbidden');
    if (!sameToken(url.searchParams.get('token'), token)) return refuse('401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      const host = serveHost(channelOf(ws), { workspace: opts.workspace, version: opts.version, initialFile: opts.initialFile ?? null, trustStore: opts.trustStore });
      hostsByWs.set(ws, host);
      ws.on('close', () => hostsByWs.delete(ws));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  port = typeof addr === 'object' && addr ? addr.port : port;
  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    async close() {
      const hostsNow = [...hostsByWs.values()];
      for (const h of hostsNow) h.dispose();
      await Promise.all(hostsNow.map((h) => h.idle()));
      for (const ws of wss.clients) ws.terminate();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}

async function serveFile(dir: string, req: IncomingMessage): Promise<{ type: string; body: Buffer } | null> {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
  const rel = path === '/' ? 'index.html' : normalize(path).replace(/^[/\\]+/, '');
  if (rel.split(sep).includes('..')) return null;
  const abs = join(dir, rel);
  if (!abs.startsWith(dir)) return null;
  try {
    if (!(await stat(abs)).isFile()) return null;
  } catch {
    return null;
  }
  return { type: TYPES[extname(abs)] ?? 'application/octet-stream', body: await readFile(abs) };
}
