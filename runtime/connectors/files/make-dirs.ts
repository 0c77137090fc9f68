// mkdir -p that always settles. Node's `mkdir(path, { recursive: true })` never settles for a path
// under /proc (creating a level there answers ENOENT, and the recursive walk retries it for ever),
// so a sink or checkpoint folder the user points there would hang the run instead of failing it.
// This walks up to the nearest existing folder and creates each missing level once.
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** Creates `dir` and its missing parents; resolves with the first folder made, as mkdir -p does. */
export async function makeDirs(dir: string): Promise<string | undefined> {
  const missing: string[] = [];
  for (let at = resolve(dir); ; ) {
    try {
      await stat(at);
      break;
    } catch (err) {
      if (code(err) !== 'ENOENT') throw err;
    }
    missing.push(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  missing.reverse();
  for (const d of missing) {
    try {
      await mkdir(d);
    } catch (err) {
      // Made meanwhile by someone else: as good as made here.
      if (code(err) !== 'EEXIST') throw err;
    }
  }
  return missing[0];
}
