// Runs the real `tributary` binary in a child process, as a user would.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  /** Send SIGINT after this many ms (for endless pipelines). */
  interruptAfter?: number;
  /** Send SIGINT once this settles (when the test has seen what it waited for). */
  interruptWhen?: Promise<unknown>;
  /** Give up (and fail) after this many ms. */
  timeout?: number;
  env?: Record<string, string>;
  onStderr?: (chunk: string) => void;
}

/** A private state folder, so trust decisions in one test never leak into another. */
export function freshHome(): string {
  return mkdtempSync(join(tmpdir(), 'tributary-home-'));
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, TRIBUTARY_HOME: freshHome(), ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      opts.onStderr?.(d.toString());
    });
    const timers: NodeJS.Timeout[] = [];
    if (opts.interruptAfter !== undefined) timers.push(setTimeout(() => child.kill('SIGINT'), opts.interruptAfter));
    opts.interruptWhen?.finally(() => child.kill('SIGINT')).catch(() => {});
    timers.push(
      setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`tributary ${args.join(' ')} did not finish in time; stderr:\n${stderr}`));
      }, opts.timeout ?? 30_000),
    );
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const t of timers) clearTimeout(t);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
