// Pipeline files outside the workspace, by absolute path. The page never names a path the main
// process will touch on its own say-so: a window may read or write only the paths its user chose
// (Open and Save dialogs, Open Recent, a dropped file, the command line). Workspace-relative paths
// are the runtime host's business (runtime/host/workspace.ts).
import { lstat, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, extname, isAbsolute, resolve } from 'node:path';
import type { OpenedDoc } from '../runtime/host/contract.js';

/** Larger than any pipeline a person draws; refuses to load a stray multi-GB file into the editor. */
export const MAX_PIPELINE_BYTES = 50_000_000;

export function isPipelinePath(p: unknown): p is string {
  return typeof p === 'string' && p.length > 0 && p.length <= 4096 && isAbsolute(p) && extname(p).toLowerCase() === '.json';
}

/** `name.json` from a document name, for a Save dialog's suggestion. */
export function suggestedFileName(name: string): string {
  const base = name.replace(/[\\/:*?"<>|\x00-\x1f]+/g, '-').trim() || 'untitled';
  return base.toLowerCase().endsWith('.json') ? base : `${base}.json`;
}

/** A chosen save path ending in `.json`, as pipeline files do (the dialog may return a bare name). */
export function withJsonExtension(p: string): string {
  return extname(p).toLowerCase() === '.json' ? p : `${p}.json`;
}

export async function readPipelineFile(path: string): Promise<OpenedDoc> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new Error(err.code === 'ENOENT' ? `${path} does not exist (any more)` : `cannot read ${path}: ${err.message}`);
  });
  if (!info.isFile()) throw new Error(`${path} is not a file`);
  if (info.size > MAX_PIPELINE_BYTES) throw new Error(`${basename(path)} is ${Math.round(info.size / 1e6)} MB: too large for a pipeline`);
  return { origin: { kind: 'file', path }, text: await readFile(path, 'utf8') };
}

/** Writes beside the target and renames, so a crash or a full disk never leaves half a pipeline. */
export async function writePipelineFile(path: string, text: string, overwrite: boolean): Promise<void> {
  const exists = await lstat(path).then(
    () => true,
    () => false,
  );
  if (exists && !overwrite) throw new Error(`${path} already exists`);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** The absolute paths one window's user has chosen. */
export class GrantedPaths {
  private readonly paths = new Set<string>();

  grant(p: string): string {
    const abs = resolve(p);
    this.paths.add(abs);
    return abs;
  }

  has(p: string): boolean {
    return isAbsolute(p) && this.paths.has(resolve(p));
  }

  /** Throws unless the user chose `p` in this window. */
  check(p: string): string {
    if (!this.has(p)) throw new Error(`${p}: not a file you opened or chose in this window`);
    return resolve(p);
  }
}
