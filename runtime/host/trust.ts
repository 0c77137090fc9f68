// Pipeline code runs only after the user trusts the file. Trust is remembered per content hash
// (as VS Code's workspace trust remembers folders): editing the code asks again.
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { makeDirs } from '../connectors/files/make-dirs.js';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Where Tributary keeps per-user state; TRIBUTARY_HOME overrides (tests, portable installs). */
export function stateDir(): string {
  if (process.env.TRIBUTARY_HOME) return process.env.TRIBUTARY_HOME;
  const config = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(config, 'tributary');
}

export class TrustStore {
  constructor(readonly file = join(stateDir(), 'trusted.json')) {}

  private async read(): Promise<Record<string, { path: string; at: string }>> {
    try {
      const data = JSON.parse(await readFile(this.file, 'utf8'));
      return data && typeof data === 'object' ? data : {};
    } catch {
      return {};
    }
  }

  async isTrusted(text: string): Promise<boolean> {
    return contentHash(text) in (await this.read());
  }

  async trust(text: string, path: string): Promise<void> {
    const all = await this.read();
    all[contentHash(text)] = { path, at: new Date().toISOString() };
    await makeDirs(dirname(this.file));
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(all, null, 2)}\n`);
    await rename(tmp, this.file);
  }
}
