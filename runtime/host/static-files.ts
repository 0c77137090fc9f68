// The built editor's files, by URL path, for the browser-mode server and the desktop app's app://
// protocol alike. Paths that would leave the folder (`..`, encoded or not) find nothing.
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

export async function readStaticFile(dir: string, urlPath: string): Promise<{ type: string; body: Buffer } | null> {
  let path: string;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const rel = path === '/' || path === '' ? 'index.html' : normalize(path).replace(/^[/\\]+/, '');
  if (rel.split(/[/\\]/).includes('..') || rel.includes('\0')) return null;
  const abs = join(dir, rel);
  if (!abs.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return null;
  try {
    if (!(await stat(abs)).isFile()) return null;
  } catch {
    return null;
  }
  return { type: TYPES[extname(abs)] ?? 'application/octet-stream', body: await readFile(abs) };
}
