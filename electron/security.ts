// Electron's security checklist, applied in one place: the window's web preferences, what every
// web contents may do (no navigation, no new windows, no <webview>), and what the session allows
// (no permission is granted; pages reach no network).
import type { WebPreferences } from 'electron';

export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

interface PreventableLike {
  preventDefault(): void;
}

/** The parts of WebContents the hardening touches. */
export interface ContentsLike {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(event: 'will-navigate' | 'will-redirect' | 'will-attach-webview', listener: (e: PreventableLike, ...rest: any[]) => void): unknown;
}

/**
 * Pages a window may open in the user's browser (never in the app): only those `allows` names
 * (the Flink web UI of a job that window submitted), and only http(s).
 */
export interface ExternalLinks {
  allows(url: string): boolean;
  open(url: string): void;
}

function isWebUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The app is one page: it never navigates, opens windows or embeds other pages; the few links it may
 * open go to the user's browser (Electron security checklist: "Disable or limit creation of new windows",
 * "Do not use shell.openExternal with untrusted content"). */
export function hardenContents(contents: ContentsLike, log: (msg: string) => void, external?: ExternalLinks): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (external && isWebUrl(url) && external.allows(url)) {
      log(`opened ${url} in the browser`);
      external.open(url);
    } else log(`blocked a new window for ${url}`);
    return { action: 'deny' };
  });
  for (const event of ['will-navigate', 'will-redirect'] as const) {
    contents.on(event, (e, url: unknown) => {
      e.preventDefault();
      log(`blocked ${event} to ${String(url)}`);
    });
  }
  contents.on('will-attach-webview', (e) => e.preventDefault());
}

/** The parts of Session the hardening touches. */
export interface SessionLike {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void;
  readonly webRequest: {
    onBeforeRequest(filter: { urls: string[] }, listener: (details: { url: string }, callback: (response: { cancel: boolean }) => void) => void): void;
  };
}

/** Schemes a page could use to reach a network; the desktop page needs none of them. */
export const NETWORK_URLS = ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*', 'ftp://*/*'];

export function hardenSession(session: SessionLike, log: (msg: string) => void): void {
  // Camera, notifications, geolocation, clipboard reads…: the editor asks for none, so none is given.
  session.setPermissionRequestHandler((_c, permission, callback) => {
    log(`denied permission ${permission}`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onBeforeRequest({ urls: NETWORK_URLS }, (details, callback) => {
    log(`blocked a request to ${details.url}`);
    callback({ cancel: true });
  });
}
