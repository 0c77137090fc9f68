// The few Electron APIs the main process's logic touches, as small interfaces. main.ts passes the
// real objects; tests pass fakes. Everything else in electron/ is plain TypeScript.
import type { MessageBoxOptions, OpenDialogOptions, Rectangle, SaveDialogOptions } from 'electron';

/** Native dialogs, already bound to the window they belong to (sheets on macOS). */
export interface Dialogs {
  showMessageBox(opts: MessageBoxOptions): Promise<{ response: number }>;
  showOpenDialog(opts: OpenDialogOptions): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(opts: SaveDialogOptions): Promise<{ canceled: boolean; filePath?: string }>;
}

/** A frame that sent an IPC message (Electron's WebFrameMain). */
export interface FrameLike {
  readonly url: string;
  readonly parent: FrameLike | null;
}

export interface WebContentsLike {
  readonly id: number;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

export interface IpcEventLike {
  readonly sender: { readonly id: number };
  readonly senderFrame: FrameLike | null;
}

export interface IpcMainLike {
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): unknown;
}

/** The window a document lives in. */
export interface WindowLike {
  readonly webContents: WebContentsLike;
  setTitle(title: string): void;
  setDocumentEdited(edited: boolean): void;
  setRepresentedFilename(path: string): void;
  isDestroyed(): boolean;
  /** Close for good: no close event, no prompt (after the user has answered one). */
  destroy(): void;
  focus(): void;
  getNormalBounds(): Rectangle;
  isMaximized(): boolean;
  isFullScreen(): boolean;
}

/** A display's usable area, for putting a remembered window back where it can be seen. */
export interface DisplayLike {
  readonly workArea: Rectangle;
}
