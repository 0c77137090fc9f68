// `npm start` builds only what changed (scripts/build.js --if-stale): right after a build nothing
// is stale; a source whose contents change is stale whatever its modification time says (a
// checkout that brings back older files); a deleted output makes its step stale. (Its rebuild is
// not run here: a full tsc would rewrite dist under the other test files that run from it.)
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const build = (...args: string[]) => execFileSync(process.execPath, ['scripts/build.js', ...args], { cwd: ROOT, encoding: 'utf8' });
const staleSteps = () => build('--if-stale', '--dry-run').split('\n').filter(Boolean);

describe('build --if-stale', () => {
  it('after a build nothing is stale; changed contents with an old modification time make their steps stale', () => {
    expect(staleSteps()).toEqual([]);
    const file = join(ROOT, 'electron', 'preload.ts');
    const text = readFileSync(file, 'utf8');
    const { atime, mtime } = statSync(file);
    try {
      writeFileSync(file, `${text}// changed\n`);
      utimesSync(file, new Date(0), new Date(0));
      expect(staleSteps()).toEqual(['tsc', 'preload']); // tsc reads the electron folder whole
    } finally {
      writeFileSync(file, text);
      utimesSync(file, atime, mtime);
    }
    expect(staleSteps()).toEqual([]);
  });

  it('a deleted output makes its step stale', () => {
    const out = join(ROOT, 'dist', 'runtime', 'format', 'fields.js');
    const aside = `${out}.aside`;
    renameSync(out, aside);
    try {
      expect(staleSteps()).toEqual(['tsc']);
    } finally {
      renameSync(aside, out);
    }
    expect(staleSteps()).toEqual([]);
  });
});
