// `npm run bench -- desktop`: what the desktop app's process split costs the editor. Round trips of
// host contract calls (hello; validate of the 200-node pipeline) on browser mode's path (a
// WebSocket to `tributary studio`) and on the desktop path (the main process's relay, then a
// MessagePort to the runtime host in its own thread: a worker stands in for Electron's
// utilityProcess, whose binary cannot be installed here), and how long a crashed host takes to
// answer again. Electron's own IPC hop between page and main process is not in these figures.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { HostRelay } from '../electron/host-relay.js';
import { HostSupervisor, type LaunchHost } from '../runtime/host/host-supervisor.js';
import { GrantedPaths } from '../electron/files.js';
import { TrustGate } from '../electron/trust-gate.js';
import { INSTALL_DIR } from '../runtime/host/install.js';
import { type Channel, createClient, type HostClient, serveApi, type WireMessage } from '../runtime/host/rpc.js';
import { TrustStore } from '../runtime/host/trust.js';
import { Workspace } from '../runtime/host/workspace.js';
import { serveStudio } from '../runtime/host/ws-server.js';
import { bigPipeline } from './editor-section.js';
import { type BenchSection, table } from './section.js';

const CALLS = 300;
const RESTARTS = 5;

async function workerLauncher(root: string): Promise<LaunchHost> {
  // The same stand-in the desktop tests use (plain JavaScript, loaded as it is).
  const mod = await import(pathToFileURL(join(INSTALL_DIR, 'test', 'electron', 'support', 'worker-host.mjs')).href);
  const config = { root, version: 'bench', trustFile: join(root, 'trusted.json') };
  return mod.workerHosts(config, join(INSTALL_DIR, 'dist', 'electron', 'host-process.js')).launch;
}

/** Page ↔ main: messages structured-cloned, as Electron's IPC does. */
function clonedPair(): [Channel, Channel] {
  const listeners: [((m: WireMessage) => void)[], ((m: WireMessage) => void)[]] = [[], []];
  const end = (me: 0 | 1): Channel => ({
    send: (msg) => {
      const copy = structuredClone(msg);
      queueMicrotask(() => listeners[1 - me]!.forEach((l) => l(copy)));
    },
    onMessage: (fn) => (listeners[me].push(fn), () => undefined),
    onClose: () => undefined,
  });
  return [end(0), end(1)];
}

async function roundTrips(client: HostClient): Promise<Record<string, number>> {
  const doc = bigPipeline();
  const time = async (call: () => Promise<unknown>) => {
    for (let i = 0; i < 20; i++) await call(); // warm up
    const ms: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const t = performance.now();
      await call();
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    return { p50: ms[Math.floor(CALLS * 0.5)]!, p99: ms[Math.floor(CALLS * 0.99)]! };
  };
  const hello = await time(() => client.call('hello', {}));
  const validate = await time(() => client.call('validate', { doc }));
  return { helloP50: hello.p50, helloP99: hello.p99, validateP50: validate.p50, validateP99: validate.p99 };
}

async function websocket(root: string): Promise<Record<string, number>> {
  const server = await serveStudio({ workspace: new Workspace(root), staticDir: root, version: 'bench', trustFile: join(root, 'trusted.json') });
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/rpc?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  const client = createClient({
    send: (m) => ws.send(JSON.stringify(m)),
    onMessage: (fn) => (ws.on('message', (d) => fn(JSON.parse(d.toString()))), () => undefined),
    onClose: (fn) => void ws.on('close', fn),
  });
  const figures = await roundTrips(client);
  ws.close();
  await server.close();
  return figures;
}

async function desktop(root: string, restarts: boolean): Promise<Record<string, number>> {
  const launch = await workerLauncher(root);
  const [page, main] = clonedPair();
  const supervisor = new HostSupervisor(launch, { event: () => undefined, status: () => undefined }, { restartDelayMs: 0, maxCrashes: RESTARTS + 1 });
  const relay = new HostRelay(supervisor, new TrustGate(new TrustStore(join(root, 'trusted.json')), async () => false), new GrantedPaths());
  serveApi(relay, main);
  const client = createClient(page);
  let figures: Record<string, number>;
  if (!restarts) figures = await roundTrips(client);
  else {
    await client.call('hello', {});
    const ms: number[] = [];
    for (let i = 0; i < RESTARTS; i++) {
      const t = performance.now();
      supervisor.restart('bench');
      for (;;) {
        try {
          await client.call('hello', {});
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 1)); // the call raced the dying process: again
        }
      }
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    figures = { restartMedian: ms[Math.floor(ms.length / 2)]!, restartMax: ms.at(-1)! };
  }
  await supervisor.dispose();
  return figures;
}

export const desktopSection: BenchSection = {
  name: 'desktop',
  async run(scenario) {
    const root = mkdtempSync(join(tmpdir(), 'tributary-bench-desktop-'));
    const t = performance.now();
    const figures = scenario === 'websocket' ? await websocket(root) : await desktop(root, scenario === 'restart');
    return { scenario, records: scenario === 'restart' ? RESTARTS : CALLS * 2, seconds: (performance.now() - t) / 1000, ...figures };
  },
  report(child, _records, out) {
    out(`Host contract round trips, ${CALLS} calls each (ms; validate: the ${(bigPipeline().nodes as unknown[]).length}-node pipeline)`);
    const ms = (v: unknown) => (typeof v === 'number' ? v.toFixed(2) : '–');
    const rows = [['path', 'hello p50', 'hello p99', 'validate p50', 'validate p99', 'peak RSS']];
    for (const [scenario, label] of [
      ['websocket', 'browser mode: WebSocket'],
      ['relay', 'desktop: relay + MessagePort to the host thread'],
    ] as const) {
      const m = child(scenario) as Record<string, unknown>;
      rows.push([label, ms(m.helloP50), ms(m.helloP99), ms(m.validateP50), ms(m.validateP99), `${Math.round(m.peakRssMiB as number)} MiB`]);
    }
    table(rows, out);
    const r = child('restart') as Record<string, unknown>;
    out(`Host restart after a crash, until it answers again: median ${ms(r.restartMedian)} ms, max ${ms(r.restartMax)} ms (${RESTARTS} restarts)`);
  },
};
