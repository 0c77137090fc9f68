// The template gallery ships inside the app's read-only archive, but templates read their data
// files and write their outputs beside themselves. A packaged app therefore runs them from a copy in
// the user-data folder, refreshed when the app's version changes.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

async function copyTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const e of await readdir(from, { withFileTypes: true })) {
    if (e.name === 'out') continue; // outputs of earlier runs are not part of the gallery
    if (e.isDirectory()) await copyTree(join(from, e.name), join(to, e.name));
    else if (e.isFile()) await writeFile(join(to, e.name), await readFile(join(from, e.name)));
  }
}

/** A writable copy of `from` at `to` for this `version` (outputs already there are kept); returns `to`. */
export async function writableTemplates(from: string, to: string, version: string): Promise<string> {
  const stamp = join(to, '.version');
  const have = await readFile(stamp, 'utf8').catch(() => null);
  if (have === version) return to;
  await copyTree(from, to);
  await writeFile(stamp, version);
  return to;
}
