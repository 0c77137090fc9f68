// sink.email on Flink (Async I/O on Jakarta Mail) against the embedded sink (nodemailer), each
// engine mailing its own real SMTP server process: the same messages arrive (sender, recipients,
// subject, text and html as a mail reader decodes them), a first 451 per message is retried, an
// unknown recipient (550) and a record without a template's field go to `errors`; in the clear,
// over STARTTLS with a private authority (`ca`) and a login, and over TLS from the first byte.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flinkProblems } from '../../runtime/format/flink.js';
import { compiled, flinkJar, runEmbedded, runOnFlinkAsync, sortedLines, validated } from '../support/flink.js';
import type { PipelineDoc } from '../support/run.js';
import { SmtpServerProcess, selfSignedCert } from '../support/smtp.js';

const cert = selfSignedCert();
const servers: SmtpServerProcess[] = [];

async function server(kind: 'plain' | 'starttls' | 'smtps'): Promise<SmtpServerProcess> {
  const s = await SmtpServerProcess.start({
    refuse: ['nobody@example.com'],
    tempFailFirst: 1,
    ...(kind === 'starttls' ? { startTls: true, key: cert.key, cert: cert.cert, auth: { user: 'shop', pass: 'secret' } } : {}),
    ...(kind === 'smtps' ? { secure: true, key: cert.key, cert: cert.cert } : {}),
  });
  servers.push(s);
  return s;
}

function input(dir: string): string {
  const lines: string[] = [];
  for (let i = 0; i < 24; i++) {
    const rec: Record<string, unknown> = { id: i, email: i % 7 === 3 ? 'nobody@example.com' : `user${i}@example.com`, amount: i * 2.5 };
    if (i % 11 !== 5) rec.name = i % 3 === 0 ? `<b>Ann & "Bo" ${i}</b>` : `Zoë ${i} 😀`;
    lines.push(JSON.stringify(rec));
  }
  const file = join(dir, 'in.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function pipeline(src: string, out: string, plain: number, tls: number, smtps: number): PipelineDoc {
  const common = { from: 'Shop alerts <alerts@example.com>', to: '{email}', retries: 2, backoff: '20ms', timeout: '10s' };
  return {
    name: 'email',
    nodes: [
      { id: 'src', type: 'source.file', params: { path: src } },
      { id: 'plain', type: 'sink.email', params: { ...common, host: '127.0.0.1', port: plain, security: 'none', subject: 'Order {id} for {name}', text: 'Hello {name},\nyour total is {amount}.', capacity: 2, rateLimit: { messages: 100, per: '1s' } } },
      {
        id: 'tls', type: 'sink.email',
        params: { ...common, host: '127.0.0.1', port: tls, security: 'starttls', ca: cert.certPath, user: 'shop', password: '${TRIBUTARY_TEST_SMTP_PASSWORD:-secret}', subject: 'Receipt {id}', text: 'Total {amount} for {name}', html: '<p>Total <b>{amount}</b> for {name}</p>', capacity: 3 },
      },
      // TLS from the first byte, the self-signed certificate accepted without its authority; html only.
      { id: 'smtps', type: 'sink.email', params: { ...common, host: '127.0.0.1', port: smtps, security: 'tls', rejectUnauthorized: false, subject: 'Invoice {id}', html: '<h1>{name}</h1>' } },
      { id: 'plainErrors', type: 'sink.file', params: { path: join(out, 'errors-plain.jsonl') } },
      { id: 'tlsErrors', type: 'sink.file', params: { path: join(out, 'errors-tls.jsonl') } },
      { id: 'smtpsErrors', type: 'sink.file', params: { path: join(out, 'errors-smtps.jsonl') } },
    ],
    edges: [
      { from: 'src', to: 'plain' },
      { from: 'src', to: 'tls' },
      { from: 'src', to: 'smtps' },
      { from: 'plain', fromPort: 'errors', to: 'plainErrors' },
      { from: 'tls', fromPort: 'errors', to: 'tlsErrors' },
      { from: 'smtps', fromPort: 'errors', to: 'smtpsErrors' },
    ],
  };
}

/** What a reader sees of each message, sorted. */
async function received(s: SmtpServerProcess): Promise<string[]> {
  const parsed = await s.parsed();
  const { mails } = await s.received();
  return parsed.map((m, i) => JSON.stringify({ envelope: [mails[i]!.from, mails[i]!.to, mails[i]!.user], from: m.from?.text, to: Array.isArray(m.to) ? m.to.map((t) => t.text) : m.to?.text, subject: m.subject, text: m.text, html: m.html })).sort();
}

/**
 * Each engine mails its own server (another port), and the client's own words after "attempts: "
 * differ (nodemailer's and Jakarta Mail's); the recipient, the attempts and the code do not.
 */
const errorLine = (l: string) => l.replace(/ via 127\.0\.0\.1:\d+ /, ' via … ').replace(/(failed after \d+ attempts?: )[^"\\]*(?:\\.[^"\\]*)*"/, '$1…"');

describe('sink.email on Flink agrees with the embedded sink', () => {
  beforeAll(() => {
    flinkJar();
  }, 900_000);

  afterAll(async () => {
    for (const s of servers) await s.stop();
    cert.dispose();
  });

  it('the same messages reach the server, retried after 451; refusals and template errors to `errors`', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-flink-email-'));
    mkdirSync(join(root, 'embedded'));
    mkdirSync(join(root, 'flink'));
    const src = input(root);
    const [ePlain, eTls, eSmtps] = [await server('plain'), await server('starttls'), await server('smtps')];
    const [fPlain, fTls, fSmtps] = [await server('plain'), await server('starttls'), await server('smtps')];
    const a = pipeline(src, join(root, 'embedded'), ePlain.port, eTls.port, eSmtps.port);
    const b = pipeline(src, join(root, 'flink'), fPlain.port, fTls.port, fSmtps.port);
    expect(flinkProblems(validated(b as never))).toEqual([]);
    await runEmbedded(a, root);
    await runOnFlinkAsync(compiled(b as never, root));
    for (const [want, got] of [[ePlain, fPlain], [eTls, fTls], [eSmtps, fSmtps]] as const) {
      const w = await received(want);
      expect(w.length).toBeGreaterThan(15);
      expect(await received(got)).toEqual(w);
      // Every message was refused once with 451 and sent again.
      const seen = await got.received();
      expect(seen.attempts.length).toBeGreaterThanOrEqual(2 * seen.mails.length);
    }
    for (const s of [eTls, fTls]) expect((await s.received()).mails.every((m) => m.user === 'shop' && m.secure)).toBe(true);
    for (const s of [eSmtps, fSmtps]) expect((await s.received()).mails.every((m) => m.secure)).toBe(true);
    for (const port of ['plain', 'tls', 'smtps']) {
      const want = sortedLines(join(root, 'embedded', `errors-${port}.jsonl`)).map(errorLine);
      expect(want.some((l) => l.includes('"code":550'))).toBe(true);
      expect(want.some((l) => l.includes("the record has no 'name'"))).toBe(true);
      expect(sortedLines(join(root, 'flink', `errors-${port}.jsonl`)).map(errorLine).sort()).toEqual(want.sort());
    }
  }, 300_000);

  it('a login refused for now (454) is retried on both engines, not a failed job', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-flink-email-auth-'));
    const src = join(root, 'in.jsonl');
    writeFileSync(src, `${[0, 1, 2, 3].map((id) => JSON.stringify({ id, email: `user${id}@example.com` })).join('\n')}\n`);
    const doc = (port: number, errors: string) => ({
      name: 'email-auth',
      nodes: [
        { id: 'src', type: 'source.file', params: { path: src } },
        { id: 'mail', type: 'sink.email', params: { host: '127.0.0.1', port, security: 'none', user: 'shop', password: 'secret', from: 'alerts@example.com', to: '{email}', subject: 'Order {id}', text: 'Hello', capacity: 1, retries: 2, backoff: '20ms' } },
        { id: 'errors', type: 'sink.file', params: { path: join(root, errors) } },
      ],
      edges: [{ from: 'src', to: 'mail' }, { from: 'mail', fromPort: 'errors', to: 'errors' }],
    });
    const [a, b] = [await SmtpServerProcess.start({ auth: { user: 'shop', pass: 'secret' }, authTempFailFirst: 1 }), await SmtpServerProcess.start({ auth: { user: 'shop', pass: 'secret' }, authTempFailFirst: 1 })];
    servers.push(a, b);
    await runEmbedded(doc(a.port, 'errors-embedded.jsonl'), root);
    await runOnFlinkAsync(compiled(doc(b.port, 'errors-flink.jsonl') as never, root));
    for (const s of [a, b]) {
      const { mails } = await s.received();
      expect(mails.map((m) => m.to[0]).sort()).toEqual(['user0@example.com', 'user1@example.com', 'user2@example.com', 'user3@example.com']);
      expect(mails.every((m) => m.user === 'shop')).toBe(true);
    }
    expect(sortedLines(join(root, 'errors-flink.jsonl'))).toEqual([]);
  }, 300_000);

  it('rateLimit holds for the node at parallelism 2, not per parallel instance', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-flink-email-rate-'));
    const lines = Array.from({ length: 12 }, (_, i) => JSON.stringify({ id: i, email: `user${i}@example.com` }));
    const src = join(root, 'in.jsonl');
    writeFileSync(src, `${lines.join('\n')}\n`);
    const s = await SmtpServerProcess.start();
    servers.push(s);
    const doc = {
      name: 'email-rate',
      settings: { parallelism: 2 },
      nodes: [
        { id: 'src', type: 'source.file', params: { path: src } },
        { id: 'mail', type: 'sink.email', params: { host: '127.0.0.1', port: s.port, security: 'none', from: 'alerts@example.com', to: '{email}', subject: 'Order {id}', text: 'Hello', capacity: 2, retries: 0, rateLimit: { messages: 2, per: '1s' } } },
      ],
      edges: [{ from: 'src', to: 'mail' }],
    };
    await runOnFlinkAsync(compiled(doc as never, root));
    const { mails, attempts } = await s.received();
    expect(mails).toHaveLength(12);
    // 2 starts a second for the node: 12 messages span at least 5 s (two instances with a limit
    // each would send them in under 3 s).
    const at = [...attempts].sort((a, b) => a - b);
    expect(at.at(-1)! - at[0]!).toBeGreaterThan(4500);
  }, 300_000);
});
