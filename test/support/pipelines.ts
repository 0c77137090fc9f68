// The example pipelines in pipelines/, for tests that run or mutate them.
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PIPELINES_DIR = fileURLToPath(new URL('../../pipelines', import.meta.url));

export function examplePipelines(): { file: string; text: string; doc: Record<string, unknown> }[] {
  return readdirSync(PIPELINES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(PIPELINES_DIR, file), 'utf8');
      return { file, text, doc: JSON.parse(text) };
    });
}

/** A private copy of pipelines/ (with its data), so runs never write into the checkout. */
export function copyOfPipelines(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-pipelines-'));
  cpSync(PIPELINES_DIR, dir, { recursive: true, filter: (src) => !src.includes(`${join(PIPELINES_DIR, 'out')}`) });
  return dir;
}
