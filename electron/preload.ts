// The preload: runs in the sandboxed page's isolated world and gives the page exactly two objects
// (contract-desktop.ts): the host contract's channel, which passes only calls of contract methods
// and only answers and contract events back, and the desktop API. No Node, no ipcRenderer, no
// Electron object reaches the page (contextIsolation + contextBridge). Bundled to one CommonJS file,
// as sandboxed preloads require (scripts/build-preload.ts).
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import {
  type DesktopApi,
  DESKTOP_GLOBAL,
  type DocState,
  type FileAction,
  HOST_GLOBAL,
  type HostStatus,
  IPC,
  isContractCall,
  isDesktopCommand,
  isFileAction,
  isHostReply,
} from '../runtime/host/contract-desktop.js';
import type { Channel, WireMessage } from '../runtime/host/rpc.js';

/** Subscribes `fn` to one IPC channel from the main process, with a check on what arrives. */
function subscribe<T>(channel: string, accept: (v: unknown) => v is T, fn: (v: T) => void): () => void {
  const listener = (_e: unknown, payload: unknown) => {
    if (accept(payload)) fn(payload);
  };
  ipcRenderer.on(channel, listener);
  return () => {
    ipcRenderer.removeListener(channel, listener);
  };
}

// The page's window, as far as the drop handler needs it (this file is type-checked without the DOM).
interface DropEventLike {
  readonly dataTransfer: { readonly files: ArrayLike<File> } | null;
  preventDefault(): void;
  stopImmediatePropagation(): void;
}
declare const window: { addEventListener(type: 'drop', fn: (e: DropEventLike) => void, capture: boolean): void };

const isStatus = (v: unknown): v is HostStatus => v !== null && typeof v === 'object' && ((v as HostStatus).state === 'ready' || (v as HostStatus).state === 'crashed');

const hostChannel: Channel = {
  send(msg: WireMessage) {
    if (!isContractCall(msg)) throw new Error(`not a call of the host contract: ${JSON.stringify((msg as { method?: unknown })?.method ?? msg?.kind)}`);
    ipcRenderer.send(IPC.rpc, { kind: 'call', id: msg.id, method: msg.method, params: msg.params });
  },
  onMessage: (fn) => subscribe(IPC.rpc, (v): v is WireMessage => isHostReply(v), fn),
  // The page's link to the main process lasts as long as the page; a crashed runtime is reported
  // through onHostStatus and restarted behind it.
  onClose() {},
};

const desktopApi: DesktopApi = {
  platform: process.platform,
  onCommand: (fn) => subscribe(IPC.command, isDesktopCommand, fn),
  onHostStatus: (fn) => subscribe(IPC.hostStatus, isStatus, fn),
  reportState(state: DocState) {
    ipcRenderer.send(IPC.docState, state);
  },
  fileAction(action: FileAction) {
    if (isFileAction(action)) ipcRenderer.send(IPC.fileAction, action);
  },
};

contextBridge.exposeInMainWorld(HOST_GLOBAL, hostChannel);
contextBridge.exposeInMainWorld(DESKTOP_GLOBAL, desktopApi);

// A pipeline file dropped on the window opens as File › Open does: by its path, through the main
// process (which asks about unsaved work and about trusting its code). Other drops (palette items
// onto the canvas) go on to the page untouched.
window.addEventListener(
  'drop',
  (e) => {
    const file = e.dataTransfer?.files?.[0];
    if (!file) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    const path = webUtils.getPathForFile(file);
    if (path) ipcRenderer.send(IPC.openDropped, path);
  },
  true,
);
