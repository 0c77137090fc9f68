// URLs as they may appear in messages: connection URLs carry secrets (a Redis password, a webhook's
// token in its query), and messages end up in terminals, logs and `errors` records.

/**
 * The URL with its password and query values masked. Text that does not parse as a URL, or that
 * still holds environment references (`${NAME}`, shown as written), is masked the same way.
 */
export function redactUrl(url: string): string {
  // A password holding / ? # or @ unencoded is cut short by URL parsers (ioredis's too), the rest
  // of it left in the path, query or fragment: such text is masked up to its last @ instead.
  const info = USER_INFO.exec(url)?.[2];
  const cut = info !== undefined && info.includes(':') && /[/?#@]/.test(info);
  if (!url.includes('${') && !cut) {
    try {
      const u = new URL(url);
      if (u.password) u.password = '***';
      for (const k of new Set(u.searchParams.keys())) u.searchParams.set(k, '***');
      // URL percent-encodes the mask inside the query; keep it readable.
      return u.toString().replace(/%2A%2A%2A/g, '***');
    } catch {
      // masked as text below
    }
  }
  return url
    .replace(USER_INFO, (_m, scheme: string, info: string) => `${scheme}${info.includes(':') ? `${info.slice(0, info.indexOf(':'))}:***` : '***'}@`)
    .replace(/([?&][^=&#]*=)[^&#]*/g, '$1***');
}

/** Scheme and user info: up to the last @ before any environment reference, else before the path. */
const USER_INFO = /^([a-z][a-z0-9+.-]*:\/\/)((?:(?!\$\{)\S)*|[^/?#]*)@/i;
