// A real SMTP server process on 127.0.0.1 for the e-mail sink's tests (smtp-server.mjs), and a
// self-signed certificate made with openssl at test time.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type ParsedMail, simpleParser } from 'mailparser';

export interface SmtpServerOptions {
  secure?: boolean;
  startTls?: boolean;
  key?: string;
  cert?: string;
  auth?: { user: string; pass: string };
  tempFailFirst?: number;
  authTempFailFirst?: number;
  refuse?: string[];
}

export interface Received {
  at: number;
  from: string;
  to: string[];
  user: string | null;
  secure: boolean;
  raw: string;
}

const SCRIPT = join(import.meta.dirname, 'smtp-server.mjs');

/**
 * What the server has seen is read only through `received()`: the client hears 250 over TCP while
 * the server's report of the message comes over a pipe, so right after a run the last report may
 * not have been read yet. `received()` asks the server for a marker first, and the pipe is ordered.
 */
export class SmtpServerProcess {
  private readonly mails: Received[] = [];
  /** When each MAIL FROM arrived (ms), refused messages included. */
  private readonly attempts: number[] = [];
  port = 0;
  private child: ChildProcess | null = null;
  private waiting: (() => void)[] = [];

  static async start(o: SmtpServerOptions = {}): Promise<SmtpServerProcess> {
    const s = new SmtpServerProcess();
    await s.spawn(o);
    return s;
  }

  private spawn(o: SmtpServerOptions): Promise<void> {
    const child = spawn(process.execPath, [SCRIPT, JSON.stringify(o)], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.child = child;
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => {
        reject(new Error(`SMTP server exited with ${code}`));
        for (const w of this.waiting.splice(0)) w();
      });
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const ev = JSON.parse(line);
        if (ev.kind === 'listening') {
          this.port = ev.port;
          resolve();
        } else if (ev.kind === 'attempt') this.attempts.push(ev.at);
        else if (ev.kind === 'mail') this.mails.push(ev);
        else if (ev.kind === 'synced') this.waiting.shift()?.();
      });
    });
  }

  /** Every message accepted and every MAIL FROM seen so far, each in the order it arrived. */
  async received(): Promise<{ mails: readonly Received[]; attempts: readonly number[] }> {
    const c = this.child;
    if (c !== null && c.exitCode === null) {
      await new Promise<void>((r) => {
        this.waiting.push(r);
        c.stdin!.write('sync\n');
      });
    }
    return { mails: [...this.mails], attempts: [...this.attempts] };
  }

  /** The accepted messages, parsed as a mail reader would. */
  async parsed(): Promise<ParsedMail[]> {
    const { mails } = await this.received();
    return Promise.all(mails.map((m) => simpleParser(m.raw)));
  }

  async stop(): Promise<void> {
    const c = this.child;
    this.child = null;
    if (c === null || c.exitCode !== null) return;
    await new Promise<void>((r) => {
      c.removeAllListeners('exit');
      c.once('exit', () => r());
      c.kill('SIGTERM');
    });
  }
}

/** A self-signed certificate for 127.0.0.1 / localhost; `dispose` removes its folder. */
export function selfSignedCert(): { key: string; cert: string; certPath: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-smtp-cert-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), certPath, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
