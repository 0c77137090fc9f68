// `npm start` where the desktop app cannot start: Electron's binary is not installed and cannot be
// downloaded (a machine without internet access), or there is no display (a server over SSH). It
// says why and serves the same editor in browser mode instead. The download is pointed at a closed
// local port, so this holds on any machine, online or not.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Runs `npm start`'s script until the studio prints its URL. */
async function startScript(env: NodeJS.ProcessEnv): Promise<{ url: string; stderr: () => string; interrupt: () => Promise<number | null> }> {
  const child = spawn(process.execPath, ['dist/scripts/start.js', '--no-open'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no studio URL in:\n${stderr}`)), 30_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /Tributary studio: (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${stderr}`)));
  });
  return {
    url,
    stderr: () => stderr,
    interrupt: () => {
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      child.kill('SIGINT');
      return exited;
    },
  };
}

describe('npm start where the desktop app cannot start', () => {
  const noBinary = () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-electron-'));
    return { ELECTRON_OVERRIDE_DIST_PATH: empty, ELECTRON_MIRROR: 'http://127.0.0.1:9/', electron_config_cache: empty };
  };

  it('without the Electron binary: says why, then starts browser mode on the demo pipeline', async () => {
    // A display, so the missing binary (not the missing display) is what sends it to browser mode.
    const run = await startScript({ ...process.env, DISPLAY: ':99', ...noBinary() });
    expect(run.stderr()).toMatch(/cannot start the desktop app: Electron's binary is not installed and could not be downloaded \(.+\)\.\nStarting browser mode instead/);
    expect(run.stderr()).toMatch(/workspace .*pipelines/);
    const page = await fetch(run.url.replace(/#.*/, ''));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+/);
    expect(await run.interrupt()).toBe(0);
  });

  it.runIf(process.platform === 'linux')('without a display: says so, fetches nothing, and prints the URL for a browser elsewhere', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...noBinary() };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const run = await startScript(env);
    expect(run.stderr()).toMatch(/cannot start the desktop app: there is no display to open a window on \(neither DISPLAY nor WAYLAND_DISPLAY is set\)\.\nStarting browser mode instead/);
    expect(run.stderr()).not.toMatch(/Fetching the Electron binary/);
    expect((await fetch(run.url.replace(/#.*/, ''))).status).toBe(200);
    expect(await run.interrupt()).toBe(0);
  });
});
