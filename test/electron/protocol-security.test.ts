// The window's page and its limits: app:// serves the built editor under the same CSP as browser
// mode (minus the WebSocket), and nothing else; every web contents is kept from navigating, opening
// windows or embedding pages; the session grants no permission and reaches no network.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appProtocolHandler, DESKTOP_CSP } from '../../electron/protocol.js';
import { type ContentsLike, hardenContents, hardenSession, NETWORK_URLS, secureWebPreferences, type SessionLike } from '../../electron/security.js';
import { contentSecurityPolicy } from '../../runtime/host/ws-server.js';
import { scratchDir } from './support/fakes.js';

function site() {
  const dir = scratchDir();
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="./assets/a.js"></script>');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'assets', 'a.js'), 'export {};');
  writeFileSync(join(dir, '..', 'secret.json'), '{"s":1}');
  return appProtocolHandler(dir);
}

const directives = (csp: string) => new Map(csp.split('; ').map((d) => [d.split(' ')[0]!, d]));

describe('app:// protocol', () => {
  it('serves the built editor with the desktop CSP and no-sniff on every response', async () => {
    const handle = site();
    const index = await handle(new Request('app://tributary/'));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(DESKTOP_CSP);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await index.text()).toContain('<script type="module"');
    const js = await handle(new Request('app://tributary/assets/a.js'));
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const missing = await handle(new Request('app://tributary/nope.js'));
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(DESKTOP_CSP);
  });

  it('serves nothing outside the folder, for other hosts, or for other methods', async () => {
    const handle = site();
    for (const url of ['app://tributary/../secret.json', 'app://tributary/%2e%2e/secret.json', 'app://tributary/assets/%2e%2e%2f%2e%2e%2fsecret.json', 'app://tributary/%00', 'app://other/index.html']) {
      expect((await handle(new Request(url))).status, url).toBe(404);
    }
    expect((await handle(new Request('app://tributary/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });

  it('the CSP is browser mode’s, except that the page connects to nothing (IPC, not a WebSocket)', () => {
    const desktop = directives(DESKTOP_CSP);
    const browser = directives(contentSecurityPolicy(4242));
    expect([...desktop.keys()]).toEqual([...browser.keys()]);
    for (const [k, v] of desktop) if (k !== 'connect-src') expect(v).toBe(browser.get(k));
    expect(desktop.get('connect-src')).toBe("connect-src 'self'");
    expect(desktop.get('script-src')).toBe("script-src 'self'");
    expect(desktop.get('default-src')).toBe("default-src 'none'");
  });
});

describe('hardening', () => {
  it('window preferences: isolated, sandboxed, no Node, web security on', () => {
    expect(secureWebPreferences('/app/preload.cjs')).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('web contents never navigate, open windows or attach <webview>', () => {
    const handlers = new Map<string, (e: { preventDefault(): void }, ...rest: unknown[]) => void>();
    let openHandler: ((d: { url: string }) => { action: string }) | null = null;
    const contents: ContentsLike = {
      setWindowOpenHandler: (h) => void (openHandler = h),
      on: (event, fn) => handlers.set(event, fn),
    };
    const log: string[] = [];
    hardenContents(contents, (m) => log.push(m));
    expect(openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      let prevented = false;
      handlers.get(event)!({ preventDefault: () => (prevented = true) }, 'https://example.com/');
      expect(prevented, event).toBe(true);
    }
    expect(log).toEqual(['blocked a new window for https://example.com/', 'blocked will-navigate to https://example.com/', 'blocked will-redirect to https://example.com/']);
  });

  it('a link the window may open goes to the browser, and only over http(s); every other new window is refused', () => {
    let openHandler: ((d: { url: string }) => { action: string }) | null = null;
    const contents: ContentsLike = { setWindowOpenHandler: (h) => void (openHandler = h), on: () => undefined };
    const page = 'http://127.0.0.1:8081/#/job/running/0123456789abcdef0123456789abcdef/overview';
    const opened: string[] = [];
    const asked: string[] = [];
    const log: string[] = [];
    // `allows` says yes to everything here: the scheme check must still refuse what is not a web page.
    hardenContents(contents, (m) => log.push(m), { allows: (u) => (asked.push(u), u === page || u.startsWith('file:') || u.startsWith('javascript:')), open: (u) => opened.push(u) });
    expect(openHandler!({ url: page })).toEqual({ action: 'deny' });
    expect(openHandler!({ url: 'http://127.0.0.1:8081/#/job/running/ffffffffffffffffffffffffffffffff/overview' })).toEqual({ action: 'deny' });
    expect(openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(openHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(opened).toEqual([page]);
    expect(asked).not.toContain('file:///etc/passwd');
    expect(log[0]).toBe(`opened ${page} in the browser`);
    expect(log.slice(1).every((m) => m.startsWith('blocked a new window for '))).toBe(true);
  });

  it('the session denies every permission and cancels every network request from pages', () => {
    let request: Parameters<SessionLike['setPermissionRequestHandler']>[0] | null = null;
    let check: Parameters<SessionLike['setPermissionCheckHandler']>[0] | null = null;
    let filter: string[] = [];
    let before: ((d: { url: string }, cb: (r: { cancel: boolean }) => void) => void) | null = null;
    const session: SessionLike = {
      setPermissionRequestHandler: (h) => void (request = h),
      setPermissionCheckHandler: (h) => void (check = h),
      webRequest: { onBeforeRequest: (f, l) => void ((filter = f.urls), (before = l)) },
    };
    hardenSession(session, () => undefined);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      let granted: boolean | null = null;
      request!(null, permission, (g) => (granted = g));
      expect(granted, permission).toBe(false);
      expect(check!(null, permission)).toBe(false);
    }
    expect(filter).toEqual(NETWORK_URLS);
    let cancelled = false;
    before!({ url: 'https://cdn.example.com/monaco/loader.js' }, (r) => (cancelled = r.cancel));
    expect(cancelled).toBe(true);
  });
});
