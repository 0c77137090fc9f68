// A browser-mode server on a scratch workspace, and a client that talks to it over a real
// WebSocket as the editor does (same contract, same wire messages).
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createClient, type Channel, type HostClient, type WireMessage } from '../../runtime/host/rpc.js';
import { Workspace } from '../../runtime/host/workspace.js';
import { serveStudio, type StudioServer } from '../../runtime/host/ws-server.js';

export async function scratchStudio(opts: { stopGraceMs?: number } = {}): Promise<{ server: StudioServer; root: string; staticDir: string }> {
  const root = mkdtempSync(join(tmpdir(), 'tributary-studio-'));
  const staticDir = join(root, '.static');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  const server = await serveStudio({
    workspace: new Workspace(root),
    staticDir,
    version: 'test',
    trustFile: join(root, '.trust.json'),
    ...opts,
  });
  return { server, root, staticDir };
}

export function connect(server: StudioServer, opts: { token?: string; origin?: string } = {}): Promise<{ client: HostClient; ws: WebSocket }> {
  const token = opts.token ?? server.token;
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/rpc?token=${encodeURIComponent(token)}`, {
    origin: opts.origin ?? `http://127.0.0.1:${server.port}`,
  });
  const channel: Channel = {
    send: (msg: WireMessage) => ws.send(JSON.stringify(msg)),
    onMessage(fn) {
      const l = (d: WebSocket.RawData) => fn(JSON.parse(d.toString()));
      ws.on('message', l);
      return () => ws.off('message', l);
    },
    onClose: (fn) => ws.on('close', (_code, reason) => fn(reason.toString() || undefined)),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ client: createClient(channel), ws }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Resolves with the first event data that satisfies `pred`. */
export function waitFor<T>(client: HostClient, event: Parameters<HostClient['on']>[0], pred: (d: T) => boolean, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching '${event}' event in ${timeoutMs} ms`));
    }, timeoutMs);
    const off = client.on(event, (d) => {
      if (pred(d as T)) {
        clearTimeout(timer);
        off();
        resolve(d as T);
      }
    });
  });
}
