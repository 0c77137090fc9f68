// Temporary files of earlier runs of a file sink that were killed (kill -9, a power cut) before
// they could publish or discard them. A checkpoint keeps its run's in-progress file for the
// restart to continue (Flink's RecoverableWriter), so a file a checkpoint names is never an orphan.
import { readdir, readFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Remove this target's orphaned temporary files: only the sink's own naming pattern for this
 * target (`.<name>.<pid>.<stamp>.tmp`), only of processes that are gone, never one in `keep`
 * (the run's own file, or the one it restores), never one named by a file under `checkpoints`.
 */
export async function removeOrphans(path: string, keep: ReadonlySet<string>, checkpoints: string): Promise<string[]> {
  const prefix = `.${basename(path)}.`;
  let entries: string[];
  try {
    entries = await readdir(dirname(path));
  } catch {
    return [];
  }
  const candidates = entries.filter((e) => {
    if (!e.startsWith(prefix) || !e.endsWith('.tmp') || keep.has(e)) return false;
    const m = /^(\d+)\.[0-9a-z]+\.tmp$/.exec(e.slice(prefix.length));
    if (m === null) return false;
    const pid = Number(m[1]);
    return pid !== process.pid && !alive(pid);
  });
  if (candidates.length === 0) return [];
  const referenced = await namedIn(checkpoints, candidates);
  const removed: string[] = [];
  for (const e of candidates) {
    if (referenced.has(e)) continue;
    await rm(join(dirname(path), e), { force: true }).catch(() => {});
    removed.push(e);
  }
  return removed;
}

/**
 * Which of `names` appear in any file under `dir`. Checkpoints are binary (v8 serialization,
 * which stores a string as Latin-1 or UTF-16 bytes), so this looks for both byte forms rather
 * than decoding them: a false match only keeps a file, never deletes one.
 */
async function namedIn(dir: string, names: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  let files: string[];
  try {
    files = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
  } catch {
    return found;
  }
  for (const f of files) {
    const buf = await readFile(f).catch(() => null);
    if (buf === null) continue;
    for (const n of names) {
      if (found.has(n)) continue;
      const latin1 = /^[\u0000-\u00ff]*$/.test(n) ? buf.includes(Buffer.from(n, 'latin1')) : false;
      if (latin1 || buf.includes(Buffer.from(n, 'utf16le'))) found.add(n);
    }
    if (found.size === names.length) break;
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
