// `npm start` builds only what changed (scripts/build.js --if-stale): right after a build nothing
// is stale; a step whose stamp is older than its sources is rebuilt, and only that step.
import { execFileSync } from 'node:child_process';
import { statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const staleSteps = () => execFileSync(process.execPath, ['scripts/build.js', '--if-stale', '--dry-run'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);

describe('build --if-stale', () => {
  it('after a build nothing is rebuilt; an old stamp makes only its step stale', () => {
    expect(staleSteps()).toEqual([]);
    const stamp = join(ROOT, 'dist', '.built-preload');
    const { atime, mtime } = statSync(stamp);
    utimesSync(stamp, new Date(0), new Date(0));
    try {
      expect(staleSteps()).toEqual(['preload']);
    } finally {
      utimesSync(stamp, atime, mtime);
    }
    expect(staleSteps()).toEqual([]);
  });

});
