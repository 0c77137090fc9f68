// Small fakes of the few Electron APIs the main process touches (electron/ports.ts), and a host
// launcher that runs the desktop app's real runtime-host entry in a worker thread over a real
// MessagePort, standing in for Electron's utilityProcess.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { MessageBoxOptions, OpenDialogOptions, SaveDialogOptions } from 'electron';
import { IPC, type DesktopCommand, type HostStatus } from '../../../runtime/host/contract-desktop.js';
import { type Channel, createClient, type HostClient, type WireMessage } from '../../../runtime/host/rpc.js';
import type { HostProcessConfig } from '../../../electron/host-process.js';
import type { Dialogs, WindowLike } from '../../../electron/ports.js';
import { workerHosts as startWorkerHosts } from './worker-host.mjs';

export function scratchDir(prefix = 'tributary-desktop-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export class FakeWebContents {
  readonly sent: { channel: string; payload: unknown }[] = [];
  readonly listeners = new Map<string, ((payload: unknown) => void)[]>();
  destroyed = false;
  constructor(readonly id: number) {}
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
    for (const fn of this.listeners.get(channel) ?? []) fn(payload);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** What a page listening on `channel` would receive. */
  listen(channel: string, fn: (payload: unknown) => void): void {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), fn]);
  }
  commands(): DesktopCommand[] {
    return this.sent.filter((s) => s.channel === IPC.command).map((s) => s.payload as DesktopCommand);
  }
  statuses(): HostStatus[] {
    return this.sent.filter((s) => s.channel === IPC.hostStatus).map((s) => s.payload as HostStatus);
  }
}

let nextId = 1;

export class FakeWindow implements WindowLike {
  readonly webContents = new FakeWebContents(nextId++);
  title = '';
  edited = false;
  represented = '';
  destroyed = false;
  focused = false;
  bounds = { x: 40, y: 30, width: 1200, height: 800 };
  maximized = false;
  fullScreen = false;
  setTitle(t: string) {
    this.title = t;
  }
  setDocumentEdited(e: boolean) {
    this.edited = e;
  }
  setRepresentedFilename(p: string) {
    this.represented = p;
  }
  isDestroyed() {
    return this.destroyed;
  }
  destroy() {
    this.destroyed = true;
  }
  focus() {
    this.focused = true;
  }
  getNormalBounds() {
    return this.bounds;
  }
  isMaximized() {
    return this.maximized;
  }
  isFullScreen() {
    return this.fullScreen;
  }
}

/** Dialogs answered by the test: each kind takes queued answers, and records what it was asked. */
export class FakeDialogs implements Dialogs {
  readonly asked: { kind: 'message' | 'open' | 'save'; opts: MessageBoxOptions | OpenDialogOptions | SaveDialogOptions }[] = [];
  messageAnswers: ((opts: MessageBoxOptions) => number)[] = [];
  openAnswers: (string | null)[] = [];
  saveAnswers: (string | null)[] = [];

  async showMessageBox(opts: MessageBoxOptions) {
    this.asked.push({ kind: 'message', opts });
    const answer = this.messageAnswers.shift();
    if (!answer) throw new Error(`unexpected message box: ${opts.message}`);
    return { response: answer(opts) };
  }
  async showOpenDialog(opts: OpenDialogOptions) {
    this.asked.push({ kind: 'open', opts });
    const p = this.openAnswers.shift();
    return p ? { canceled: false, filePaths: [p] } : { canceled: true, filePaths: [] };
  }
  async showSaveDialog(opts: SaveDialogOptions) {
    this.asked.push({ kind: 'save', opts });
    const p = this.saveAnswers.shift();
    return p ? { canceled: false, filePath: p } : { canceled: true };
  }
  /** Answers the next message box by the label of its button. */
  answer(label: string): void {
    this.messageAnswers.push((opts) => {
      const i = opts.buttons?.indexOf(label) ?? -1;
      if (i < 0) throw new Error(`no button '${label}' in [${opts.buttons?.join(', ')}] (${opts.message})`);
      return i;
    });
  }
  messages(): string[] {
    return this.asked.filter((a) => a.kind === 'message').map((a) => (a.opts as MessageBoxOptions).message);
  }
}

/** Starts the real host entry in worker threads; `launched` lists every start (restarts too). */
export function workerHosts(config: HostProcessConfig): ReturnType<typeof startWorkerHosts> {
  return startWorkerHosts(config, resolve('dist/electron/host-process.js'));
}

/** The page's end: a contract client whose messages go to `fromPage`, answers come via the fake contents. */
export function pageClient(contents: FakeWebContents, fromPage: (msg: unknown) => void): HostClient {
  const channel: Channel = {
    send: (msg: WireMessage) => fromPage(structuredClone(msg)),
    onMessage(fn) {
      contents.listen(IPC.rpc, (m) => fn(structuredClone(m) as WireMessage));
      return () => undefined;
    },
    onClose() {},
  };
  return createClient(channel);
}

/** Resolves when `pred` holds, polling; fails after `timeoutMs`. */
export async function until(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!pred()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
