// Vitest global setup: CLI tests run the real `tributary` binary, which runs compiled code (and
// serves the built editor), so build first; a stale build would test yesterday's CLI. Every
// test's scratch files go under one temporary folder (TMPDIR is inherited by the test workers),
// removed when the run ends.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  // `tributary studio` serves the built editor; the studio tests load it.
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
  // The desktop app's preload, bundled as a sandboxed window loads it; its tests run the bundle.
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'electron/vite.preload.config.ts'], { stdio: 'inherit' });
  const scratch = mkdtempSync(join(tmpdir(), 'tributary-tests-'));
  process.env.TMPDIR = scratch;
  return () => rmSync(scratch, { recursive: true, force: true });
}
