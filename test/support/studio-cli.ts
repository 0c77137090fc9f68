// `tributary studio` as a user starts it: the real binary in a child process, its URL read from
// what it prints. Used by the CLI test and the end-to-end tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { BIN, freshHome } from './cli.js';

export interface StudioProcess {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly child: ChildProcess;
  /** Interrupt it (as Ctrl-C does) and wait for it to exit. */
  stop(): Promise<number | null>;
  stderr(): string;
}

export function startStudioCli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<StudioProcess> {
  const child = spawn(process.execPath, [BIN, 'studio', '--no-open', ...args], {
    cwd: opts.cwd,
    env: { ...process.env, TRIBUTARY_HOME: freshHome(), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stdout!.resume();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`studio did not start:\n${err}`)), 20_000);
    child.on('exit', (code) => reject(new Error(`studio exited with ${code}:\n${err}`)));
    child.stderr!.on('data', (d: Buffer) => {
      err += d;
      const m = /(http:\/\/127\.0\.0\.1:(\d+)\/#token=([\w-]+))/.exec(err);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1]!,
        port: Number(m[2]),
        token: m[3]!,
        child,
        stderr: () => err,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done(child.exitCode);
            child.removeAllListeners('exit');
            child.once('exit', (code) => done(code));
            child.kill('SIGINT');
          }),
      });
    });
  });
}
