// Every IPC message from a page passes here first. It is answered only when it comes from the top
// frame of one of our windows showing our own page (Electron security checklist: "Validate the
// sender of all IPC messages"); anything else is refused and logged. Payloads are checked too.
import { APP_ORIGIN, type DocState, docStateSchema, type FileAction, IPC, isFileAction } from '../runtime/host/contract-desktop.js';
import type { FrameLike, IpcEventLike, IpcMainLike } from './ports.js';

/** What a window offers its page over IPC (DocumentWindow). */
export interface PageEndpoint {
  fromPage(msg: unknown): void;
  setState(state: DocState): void;
  openPath(path: string): Promise<unknown>;
  fileAction(action: FileAction): Promise<unknown>;
}

/** True for the top frame of a page loaded from the app's own origin. */
export function isAppFrame(frame: FrameLike | null | undefined): boolean {
  if (!frame || frame.parent !== null) return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  // app:// is not a special scheme, so URL.origin is "null": compare scheme and host instead.
  return `${url.protocol}//${url.host}` === APP_ORIGIN;
}

export function registerIpc(ipc: IpcMainLike, endpointFor: (webContentsId: number) => PageEndpoint | undefined, log: (msg: string) => void): void {
  const route = (channel: string, e: IpcEventLike): PageEndpoint | undefined => {
    const endpoint = endpointFor(e.sender.id);
    if (endpoint && isAppFrame(e.senderFrame)) return endpoint;
    log(`refused ${channel} from ${e.senderFrame?.url ?? 'an unknown frame'} (webContents ${e.sender.id})`);
    return undefined;
  };

  ipc.on(IPC.rpc, (e, msg) => route(IPC.rpc, e)?.fromPage(msg));

  ipc.on(IPC.docState, (e, state) => {
    const endpoint = route(IPC.docState, e);
    const parsed = docStateSchema.safeParse(state);
    if (endpoint && parsed.success) endpoint.setState(parsed.data);
  });

  ipc.on(IPC.openDropped, (e, path) => {
    const endpoint = route(IPC.openDropped, e);
    // openPath refuses (with a message) anything but an absolute .json path.
    if (endpoint && typeof path === 'string') void endpoint.openPath(path.slice(0, 4096));
  });

  ipc.on(IPC.fileAction, (e, action) => {
    const endpoint = route(IPC.fileAction, e);
    if (endpoint && isFileAction(action)) void endpoint.fileAction(action);
  });
}
