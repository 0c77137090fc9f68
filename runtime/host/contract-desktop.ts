// What the desktop app adds to the host contract. Its preload exposes exactly two globals to the
// page: `tributaryHost`, the host contract's `Channel` (rpc.ts: the editor builds the same typed
// client on it as on the browser-mode WebSocket), and `tributaryDesktop`, the native integration
// below (menu commands, file actions with native dialogs, the runtime process's health).
// Isomorphic: the page, the preload and the main process all import it.
//
// In the desktop app a file origin may hold an absolute path: one the user chose in a native
// dialog, opened from Open Recent, dropped on the window or passed on the command line. The main
// process answers `readFile`/`writeFile` for exactly those paths itself; workspace-relative paths
// go to the runtime host as in browser mode.
import { z } from 'zod';
import { METHOD_PARAMS, type OpenedDoc, originSchema } from './contract.js';
import { isEventName, type WireMessage } from './rpc.js';

/** The globals the preload defines in the page, and nothing else. */
export const HOST_GLOBAL = 'tributaryHost';
export const DESKTOP_GLOBAL = 'tributaryDesktop';

/** The page's own origin in the desktop app (a privileged custom scheme, never file://). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'tributary';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** IPC channels between the preload and the main process; every message's sender is checked. */
export const IPC = {
  /** Host contract wire messages (rpc.ts), both ways. */
  rpc: 'tributary:rpc',
  /** main → page: a menu command, or a document the main process opened. */
  command: 'tributary:command',
  /** main → page: the runtime host's process started, or crashed (and is restarted). */
  hostStatus: 'tributary:host-status',
  /** page → main: the open document's name, origin and unsaved-changes flag. */
  docState: 'tributary:doc-state',
  /** page → main: a file action from the page's toolbar or keys, done as the menu does it. */
  fileAction: 'tributary:file-action',
  /** page → main: a file was dropped on the window; open it like File › Open. */
  openDropped: 'tributary:open-dropped',
} as const;

/** What the menu asks the page to do. The main process has already asked about unsaved work. */
export type DesktopCommand =
  | { readonly kind: 'new' }
  /** Show this document; its `origin.path` is absolute. `trusted` false: Restricted Mode. */
  | { readonly kind: 'open'; readonly doc: OpenedDoc; readonly trusted: boolean }
  /** Save to the document's own file. */
  | { readonly kind: 'save' }
  /** Save to this absolute path (the user chose it and agreed to replace it) and adopt it. */
  | { readonly kind: 'saveAs'; readonly path: string }
  /** Write the pipeline JSON to this absolute path; the document keeps its origin. */
  | { readonly kind: 'export'; readonly path: string }
  | { readonly kind: 'run' }
  | { readonly kind: 'stop' }
  | { readonly kind: 'validate' };

const COMMAND_KINDS: ReadonlySet<string> = new Set<DesktopCommand['kind']>(['new', 'open', 'save', 'saveAs', 'export', 'run', 'stop', 'validate']);

/** A command as it arrives over IPC, checked before it reaches the page. */
export function isDesktopCommand(v: unknown): v is DesktopCommand {
  return v !== null && typeof v === 'object' && COMMAND_KINDS.has((v as { kind?: unknown }).kind as string);
}

/** File actions the page may ask for; the main process shows the dialogs and prompts. */
export const FILE_ACTIONS = ['new', 'open', 'save', 'saveAs', 'export'] as const;
export type FileAction = (typeof FILE_ACTIONS)[number];

export function isFileAction(v: unknown): v is FileAction {
  return typeof v === 'string' && (FILE_ACTIONS as readonly string[]).includes(v);
}

/** The page's open document, as the main process needs it for the title, prompts and Save. */
export const docStateSchema = z.strictObject({
  name: z.string().max(1024),
  origin: originSchema.nullable(),
  dirty: z.boolean(),
});
export type DocState = z.output<typeof docStateSchema>;

export type HostStatus =
  | { readonly state: 'ready' }
  /** The host process died; `restarting` false: it crashed too often and starts on next use. */
  | { readonly state: 'crashed'; readonly message: string; readonly restarting: boolean };

/** `window.tributaryDesktop`. */
export interface DesktopApi {
  readonly platform: string;
  onCommand(fn: (cmd: DesktopCommand) => void): () => void;
  onHostStatus(fn: (status: HostStatus) => void): () => void;
  reportState(state: DocState): void;
  fileAction(action: FileAction): void;
}

/** A wire message the page may send: a call of a contract method, nothing else. */
export function isContractCall(msg: unknown): msg is Extract<WireMessage, { kind: 'call' }> {
  if (msg === null || typeof msg !== 'object') return false;
  const m = msg as { kind?: unknown; id?: unknown; method?: unknown };
  return m.kind === 'call' && typeof m.id === 'number' && typeof m.method === 'string' && Object.prototype.hasOwnProperty.call(METHOD_PARAMS, m.method);
}

/** A wire message the page may receive: an answer, or a contract event. */
export function isHostReply(msg: unknown): boolean {
  if (msg === null || typeof msg !== 'object') return false;
  const m = msg as { kind?: unknown; id?: unknown; event?: unknown };
  if (m.kind === 'result' || m.kind === 'error') return typeof m.id === 'number';
  return m.kind === 'event' && isEventName(m.event);
}
