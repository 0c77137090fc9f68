// Vitest global setup: CLI tests run the real `tributary` binary, which runs compiled code (and
// serves the built editor), so build first; a stale build would test yesterday's CLI. Every
// test's scratch files go under one temporary folder (TMPDIR is inherited by the test workers),
// removed when the run ends.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  // The same full build as `npm run build` (the runtime and CLI, the editor `tributary studio`
  // serves, the desktop app's preload bundle), which also stamps each step for `npm start`.
  execFileSync(process.execPath, ['scripts/build.js'], { stdio: 'inherit' });
  const scratch = mkdtempSync(join(tmpdir(), 'tributary-tests-'));
  process.env.TMPDIR = scratch;
  return () => rmSync(scratch, { recursive: true, force: true });
}
