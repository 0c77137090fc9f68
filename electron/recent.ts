// File › Open Recent: the last pipelines opened or saved, newest first, kept in the user-data
// folder and mirrored to the OS's own list (Dock/Jump List) by the caller.
import { isAbsolute } from 'node:path';
import { readJsonFile, writeJsonFile } from './json-file.js';

export const MAX_RECENT = 10;

export class RecentFiles {
  private paths: string[] = [];
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly onChange: (paths: readonly string[]) => void = () => undefined,
  ) {}

  async load(): Promise<void> {
    const data = await readJsonFile(this.file);
    const list = Array.isArray(data) ? data : [];
    this.paths = list.filter((p): p is string => typeof p === 'string' && isAbsolute(p)).slice(0, MAX_RECENT);
    this.onChange(this.paths);
  }

  get list(): readonly string[] {
    return this.paths;
  }

  add(path: string): void {
    this.set([path, ...this.paths.filter((p) => p !== path)].slice(0, MAX_RECENT));
  }

  remove(path: string): void {
    if (this.paths.includes(path)) this.set(this.paths.filter((p) => p !== path));
  }

  clear(): void {
    this.set([]);
  }

  /** Resolves once every change so far is on disk. */
  flushed(): Promise<void> {
    return this.writing;
  }

  private set(paths: string[]): void {
    this.paths = paths;
    this.onChange(paths);
    // Writes run one after another, so the file always ends with the latest list.
    this.writing = this.writing.then(() => writeJsonFile(this.file, paths)).catch(() => undefined);
  }
}
