// Vitest global setup: CLI tests run the real `tributary` binary, which runs compiled code, so
// compile first; a stale build would test yesterday's CLI. Every test's scratch files go under one
// temporary folder (TMPDIR is inherited by the test workers), removed when the run ends.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  const scratch = mkdtempSync(join(tmpdir(), 'tributary-tests-'));
  process.env.TMPDIR = scratch;
  return () => rmSync(scratch, { recursive: true, force: true });
}
