// The files browser mode may touch: pipeline JSON files inside the workspace folder (the folder of
// the pipeline `tributary studio` was given, or the current folder), and the read-only template
// gallery (the project's own pipelines/). Paths from the client are workspace-relative and must
// stay inside it: `..`, absolute paths and symlinks out of the folder are refused. Save creates
// nothing under a hidden name (`.vscode/tasks.json`, `.git/hooks/x.json`): those folders hold other
// tools' settings, some of which run commands, as the runtime's trust rule for paths says.
import { lstat, readdir, readFile, realpath, rename, writeFile } from 'node:fs/promises';
import { makeDirs } from '../connectors/files/make-dirs.js';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { FileEntry, OpenedDoc, Origin } from './contract.js';
import { TEMPLATES_DIR } from './install.js';
import { hidden, real } from './trust-needs.js';

const SKIP = new Set(['node_modules', '.git', 'dist', 'out', 'test-results']);
const MAX_FILES = 500;

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export class Workspace {
  constructor(
    readonly root: string,
    readonly templatesDir: string = TEMPLATES_DIR,
  ) {}

  /** Absolute path of a workspace-relative pipeline path, or an error saying why not. */
  async resolve(rel: string, base = this.root): Promise<string> {
    if (isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) throw new Error(`${rel}: paths must be relative to the workspace and stay inside it`);
    if (!rel.endsWith('.json')) throw new Error(`${rel}: pipeline files end in .json`);
    const abs = resolve(base, rel);
    if (!inside(base, abs)) throw new Error(`${rel}: outside the workspace`);
    // The closest existing ancestor must really be inside (a symlink could point anywhere).
    let probe = abs;
    for (;;) {
      try {
        const real = await realpath(probe);
        if (!inside(await realpath(base), real)) throw new Error(`${rel}: outside the workspace`);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        const up = dirname(probe);
        if (up === probe) break;
        probe = up;
      }
    }
    return abs;
  }

  /** The folder a template's or an untitled document's relative paths resolve against (a file's: its own, through resolve). */
  baseDir(origin: Exclude<Origin, { kind: 'file' }>): string {
    return origin.kind === 'template' ? this.templatesDir : this.root;
  }

  async listFiles(): Promise<FileEntry[]> {
    return listPipelines(this.root, 4);
  }

  async listTemplates(): Promise<FileEntry[]> {
    return listPipelines(this.templatesDir, 1);
  }

  async readFile(rel: string): Promise<OpenedDoc> {
    const text = await readFile(await this.resolve(rel), 'utf8');
    return { origin: { kind: 'file', path: rel }, text };
  }

  async openTemplate(name: string): Promise<OpenedDoc> {
    const text = await readFile(await this.resolve(name, this.templatesDir), 'utf8');
    return { origin: { kind: 'template', name }, text };
  }

  /** Whether a workspace path names something hidden below the root, by name or by where symbolic links lead (`conf -> .git`). */
  private async isHidden(abs: string): Promise<boolean> {
    return hidden(this.root, abs) || hidden(await real(this.root), await real(abs));
  }

  /**
   * The folder a workspace file's relative paths resolve against and trust is judged by. Never a
   * hidden one: inside `.git/hooks`, `pre-commit` would be an ordinary name needing no trust (the
   * hidden-path rule counts names below the pipeline's folder), and Save writes nothing there anyway.
   */
  async folderOf(rel: string): Promise<string> {
    const abs = await this.resolve(rel);
    if (await this.isHidden(abs)) throw new Error(`${rel}: a hidden file or folder (such as .git or .vscode) is not a pipeline's place; move it to an ordinary folder`);
    return dirname(abs);
  }

  async writeFile(rel: string, text: string, overwrite: boolean): Promise<string> {
    const abs = await this.resolve(rel);
    if (await this.isHidden(abs)) {
      throw new Error(`${rel}: Save does not write hidden files or into hidden folders (such as .git or .vscode): they hold other tools' settings`);
    }
    const exists = await lstat(abs).then(
      () => true,
      () => false,
    );
    if (exists && !overwrite) throw new Error(`${rel} already exists`);
    await makeDirs(dirname(abs));
    // Write beside it and rename, so a crash never leaves half a pipeline.
    const tmp = `${abs}.${process.pid}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, abs);
    return relative(this.root, abs).split(sep).join('/');
  }
}

async function listPipelines(dir: string, depth: number): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  const visit = async (folder: string, level: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (out.length >= MAX_FILES) return;
      const abs = join(folder, e.name);
      if (e.isDirectory() && level < depth && !SKIP.has(e.name) && !e.name.startsWith('.')) await visit(abs, level + 1);
      else if (e.isFile() && e.name.endsWith('.json')) {
        const entry = await describe(dir, abs);
        if (entry) out.push(entry);
      }
    }
  };
  await visit(dir, 1);
  return out;
}

/** A listing entry for a JSON file that looks like a pipeline; other JSON files are skipped. */
async function describe(root: string, abs: string): Promise<FileEntry | null> {
  try {
    const doc = JSON.parse(await readFile(abs, 'utf8'));
    if (typeof doc?.format !== 'string' || !doc.format.startsWith('tributary.pipeline/')) return null;
    return {
      path: relative(root, abs).split(sep).join('/'),
      name: typeof doc.name === 'string' ? doc.name : relative(root, abs),
      description: typeof doc.description === 'string' ? doc.description : null,
      nodes: Array.isArray(doc.nodes) ? doc.nodes.length : 0,
    };
  } catch {
    return null;
  }
}
