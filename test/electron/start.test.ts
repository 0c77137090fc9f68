// `npm start` where Electron's binary is not installed and cannot be downloaded (as on a machine
// without internet access): it says so and serves the same editor in browser mode instead. The
// download is pointed at a closed local port, so this holds on any machine, online or not.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('npm start without the Electron binary', () => {
  it('says why, then starts browser mode on the demo pipeline', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-electron-'));
    const child = spawn(process.execPath, ['dist/scripts/start.js', '--no-open'], {
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: empty, ELECTRON_MIRROR: 'http://127.0.0.1:9/', electron_config_cache: empty },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
    expect(stderr).toMatch(/cannot start the desktop app: Electron's binary is not installed and could not be downloaded \(.+\)\.\nStarting browser mode instead/);
    expect(stderr).toMatch(/workspace .*pipelines/);
    const page = await fetch(url.replace(/#.*/, ''));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+/);
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
