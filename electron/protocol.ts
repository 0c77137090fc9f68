// The page's files come from app://tributary/, a privileged custom scheme served from the built
// editor folder (Electron security checklist: "Use a custom protocol instead of file://"), with the
// same Content-Security-Policy as browser mode minus the WebSocket: the desktop page connects to
// nothing, it talks to the runtime host over IPC. A plain fetch-style handler, so tests run it in Node.
import { APP_HOST, APP_SCHEME } from '../runtime/host/contract-desktop.js';
import { contentSecurityPolicyFor, PAGE_HEADERS } from '../runtime/host/csp.js';
import { readStaticFile } from '../runtime/host/static-files.js';

/** The policy the desktop window's page runs under. */
export const DESKTOP_CSP = contentSecurityPolicyFor(["'self'"]);

/** How the scheme is registered (before the app is ready): a standard, secure origin of its own. */
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } as const;

export const APP_ENTRY = `${APP_SCHEME}://${APP_HOST}/index.html`;

export function appProtocolHandler(staticDir: string): (req: Request) => Promise<Response> {
  return async (req) => {
    const headers = { 'content-security-policy': DESKTOP_CSP, ...PAGE_HEADERS };
    const url = new URL(req.url);
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return new Response('not found\n', { status: 404, headers });
    if (req.method !== 'GET' && req.method !== 'HEAD') return new Response(null, { status: 405, headers });
    const file = await readStaticFile(staticDir, url.pathname).catch(() => null);
    if (!file) return new Response('not found\n', { status: 404, headers });
    return new Response(req.method === 'HEAD' ? null : new Uint8Array(file.body), { status: 200, headers: { ...headers, 'content-type': file.type } });
  };
}
