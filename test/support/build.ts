// Vitest global setup: CLI tests run the real `tributary` binary, which runs compiled code, so
// compile first; a stale build would test yesterday's CLI.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
