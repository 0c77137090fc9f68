// `npm start`: the desktop app. Electron's package fetches its binary from the internet on first
// use; where that cannot happen (a machine without internet access) this says so and starts
// browser mode instead (`tributary studio`), which serves the same editor to the default browser.
//   npm start                      the demo pipeline
//   npm start -- my/pipeline.json  that pipeline (flags such as --no-open pass through)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { main } from '../runtime/cli/main.js';
import { INSTALL_DIR } from '../runtime/host/install.js';

const DEMO = join(INSTALL_DIR, 'pipelines', 'clickstream-demo.json');

export type ElectronLookup = { readonly binary: string } | { readonly missing: string };

/** The error line of a failed fetch's output ("TypeError: fetch failed"), not its stack. */
function errorLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^[A-Za-z]*Error\b/.test(l)) ?? lines.find((l) => !l.startsWith('at ')) ?? 'no output';
}

/** Electron's binary, fetching it first if the package has not yet (as `require('electron')` would). */
export function findElectron(env: NodeJS.ProcessEnv = process.env): ElectronLookup {
  let pkgDir: string;
  try {
    pkgDir = dirname(createRequire(join(INSTALL_DIR, 'package.json')).resolve('electron/package.json'));
  } catch {
    return { missing: 'the electron package is not installed (run `npm install`)' };
  }
  const installed = (): string | null => {
    const pathFile = join(pkgDir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const rel = readFileSync(pathFile, 'utf8').trim();
    const binary = env.ELECTRON_OVERRIDE_DIST_PATH ? join(env.ELECTRON_OVERRIDE_DIST_PATH, rel) : join(pkgDir, 'dist', rel);
    return existsSync(binary) ? binary : null;
  };
  const have = installed();
  if (have) return { binary: have };
  process.stderr.write('Fetching the Electron binary (once)…\n');
  const fetched = spawnSync(process.execPath, [join(pkgDir, 'install.js')], { env, encoding: 'utf8', timeout: 15 * 60_000 });
  const now = fetched.status === 0 ? installed() : null;
  if (now) return { binary: now };
  return { missing: `Electron's binary is not installed and could not be downloaded (${fetched.error?.message ?? errorLine(`${fetched.stderr ?? ''}${fetched.stdout ?? ''}`)})` };
}

/**
 * Why no window can open here, or null. On Linux (and the BSDs) a window needs an X or Wayland
 * display; without one (a server over SSH, a container) Electron would only abort, after fetching
 * its ~100 MB binary for nothing. macOS and Windows always have one.
 */
export function missingDisplay(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | null {
  if (platform === 'darwin' || platform === 'win32') return null;
  return env.DISPLAY || env.WAYLAND_DISPLAY ? null : 'there is no display to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is set)';
}

export async function start(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const files = args.filter((a) => !a.startsWith('-'));
  const withFile = files.length > 0 ? args : [...args, DEMO];
  const headless = missingDisplay(env);
  if (headless) {
    // No browser can open here either: print the URL for a browser elsewhere (ssh -L …).
    process.stderr.write(`tributary: cannot start the desktop app: ${headless}.\nStarting browser mode instead (tributary studio): open the URL below in a browser that reaches this machine.\n\n`);
    return main(['studio', ...(withFile.includes('--no-open') ? withFile : ['--no-open', ...withFile])], { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });
  }
  const electron = findElectron(env);
  if ('binary' in electron) {
    // Never let an inherited ELECTRON_RUN_AS_NODE turn the app into a plain Node process.
    const childEnv = { ...env };
    delete childEnv.ELECTRON_RUN_AS_NODE;
    const child = spawn(electron.binary, [INSTALL_DIR, ...withFile.map((a) => (a.startsWith('-') ? a : resolve(a)))], { stdio: 'inherit', env: childEnv });
    return new Promise((done) => child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0))));
  }
  process.stderr.write(`tributary: cannot start the desktop app: ${electron.missing}.\nStarting browser mode instead (tributary studio): the same editor, in your browser.\n\n`);
  return main(['studio', ...withFile], { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });
}

start(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`tributary: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
