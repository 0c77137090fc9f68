// Pipelines named on the command line (`tributary-desktop jobs/carts.json`, or a file the OS opens
// with the app). Flags, including Chromium's own switches, are not files.
import { resolve } from 'node:path';

export function pipelineArgs(argv: readonly string[], cwd: string, packaged: boolean): string[] {
  // Packaged: [app, ...args]. Unpackaged: [electron, app folder or main script, ...args].
  return argv
    .slice(packaged ? 1 : 2)
    .filter((a) => !a.startsWith('-') && a.toLowerCase().endsWith('.json'))
    .map((a) => resolve(cwd, a));
}
