// The Content-Security-Policy the editor page runs under, in browser mode (ws-server.ts) and in the
// desktop window (electron/protocol.ts) alike; only where the page may connect differs (a WebSocket
// to the local server, or nothing: the desktop page talks to the host over IPC).
export function contentSecurityPolicyFor(connectSrc: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    // Monaco and React Flow inject <style> elements at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src ${connectSrc.join(' ')}`,
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** Headers every page response carries, besides its CSP. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};
