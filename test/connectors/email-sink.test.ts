// sink.email against a real SMTP server process on 127.0.0.1: messages whose headers and bodies
// parse as the templates say, login accepted and refused, STARTTLS and implicit TLS with a
// certificate made at test time, temporary refusals retried, permanent ones and a dead server to
// `errors`, and the rate limit as the server sees it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeError } from '../../runtime/engine/errors.js';
import { metricsOf, runPipeline } from '../support/run.js';
import { selfSignedCert, SmtpServerProcess } from '../support/smtp.js';

const servers: SmtpServerProcess[] = [];
async function server(o: Parameters<typeof SmtpServerProcess.start>[0] = {}): Promise<SmtpServerProcess> {
  const s = await SmtpServerProcess.start(o);
  servers.push(s);
  return s;
}
afterAll(() => Promise.all(servers.map((s) => s.stop())));

let cert: ReturnType<typeof selfSignedCert>;
beforeAll(() => {
  cert = selfSignedCert();
});
afterAll(() => cert.dispose());

/** generator → map (adds `email` and a field with markup) → sink.email; errors → a console sink. */
function doc(port: number, sink: Record<string, unknown>, count = 5) {
  return {
    nodes: [
      { id: 'gen', type: 'source.generator', params: { count, rate: 0, seed: 7 } },
      { id: 'shape', type: 'map', params: { expression: "{ ...event, email: concat('user', userId, '@example.com'), note: '<b>5 € & more</b>' }" } },
      { id: 'mail', type: 'sink.email', params: { host: '127.0.0.1', port, security: 'none', from: 'Shop alerts <alerts@example.com>', to: '{email}', subject: 'Event {eventId}: {eventType} für {userId}', text: 'Event {eventId} of user {userId}: {note}', html: '<p>Event {eventId}: {note}</p>', backoff: '20ms', ...sink } },
      { id: 'failed', type: 'sink.console', params: {} },
    ],
    edges: [
      { from: 'gen', to: 'shape' },
      { from: 'shape', to: 'mail' },
      { from: 'mail', fromPort: 'errors', to: 'failed' },
    ],
  };
}

describe('sink.email', () => {
  it('sends one message per record, headers and bodies filled from the record (html escaped)', async () => {
    const s = await server();
    const { job } = await runPipeline(doc(s.port, {}, 8));
    expect(metricsOf(job, 'failed').recordsIn).toBe(0);
    const mails = await s.parsed();
    expect(mails).toHaveLength(8);
    const byEvent = new Map(mails.map((m) => [Number(/Event (\d+):/.exec(m.subject!)![1]), m]));
    expect([...byEvent.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const [id, m] of byEvent) {
      const user = /für (\S+)$/.exec(m.subject!)![1]!;
      expect(m.from!.value[0]).toMatchObject({ address: 'alerts@example.com', name: 'Shop alerts' });
      expect((m.to as { value: { address: string }[] }).value[0]!.address).toBe(`user${user}@example.com`);
      expect(m.subject).toMatch(new RegExp(`^Event ${id}: (VIEW|CLICK|ADD_TO_CART|REMOVE_FROM_CART|PURCHASE) für ${user}$`));
      expect(m.text!.trim()).toBe(`Event ${id} of user ${user}: <b>5 € & more</b>`);
      expect(m.html).toBe(`<p>Event ${id}: &lt;b&gt;5 € &amp; more&lt;/b&gt;</p>`);
      expect(m.messageId).toBeTruthy();
    }
    // The envelope matches the headers.
    expect((await s.received()).mails.every((r) => r.from === 'alerts@example.com' && r.to.length === 1)).toBe(true);
  });

  it('logs in with user and password (and the port) from the environment', async () => {
    process.env.TRIBUTARY_TEST_SMTP_USER = 'alerts';
    process.env.TRIBUTARY_TEST_SMTP_PASS = 'pa55-w0rd';
    const s = await server({ auth: { user: 'alerts', pass: 'pa55-w0rd' } });
    process.env.TRIBUTARY_TEST_SMTP_PORT = String(s.port);
    await runPipeline(doc(s.port, { port: '${TRIBUTARY_TEST_SMTP_PORT}', user: '${TRIBUTARY_TEST_SMTP_USER}', password: '${TRIBUTARY_TEST_SMTP_PASS}' }, 3));
    expect((await s.received()).mails.map((m) => m.user)).toEqual(['alerts', 'alerts', 'alerts']);
  });

  it('a refused login fails the run naming the node and server, without the password', async () => {
    process.env.TRIBUTARY_TEST_SMTP_BAD = 'wrong-secret';
    const s = await server({ auth: { user: 'alerts', pass: 'pa55-w0rd' } });
    const err = await runPipeline(doc(s.port, { user: 'alerts', password: '${TRIBUTARY_TEST_SMTP_BAD}' }, 3)).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(NodeError);
    expect((err as NodeError).nodeId).toBe('mail');
    const msg = String(err);
    expect(msg).toContain(`127.0.0.1:${s.port} refused the login`);
    expect(msg).not.toContain('wrong-secret');
    expect((await s.received()).mails).toHaveLength(0);
  });

  it('STARTTLS with the server certificate trusted through `ca`; refused when it does not verify', async () => {
    const s = await server({ startTls: true, key: cert.key, cert: cert.cert });
    await runPipeline(doc(s.port, { security: 'starttls', ca: cert.certPath }, 3));
    const { mails } = await s.received();
    expect(mails).toHaveLength(3);
    expect(mails.every((m) => m.secure)).toBe(true);

    const err = await runPipeline(doc(s.port, { security: 'starttls' }, 1)).then(() => null, (e: unknown) => e);
    expect(String(err)).toMatch(/certificate does not verify/);
    expect((await s.received()).mails).toHaveLength(3);
  });

  it('`security: starttls` refuses to send in the clear to a server without STARTTLS', async () => {
    const s = await server();
    const { job } = await runPipeline(doc(s.port, { security: 'starttls', retries: 1 }, 2));
    expect((await s.received()).mails).toHaveLength(0);
    expect(metricsOf(job, 'failed').recordsIn).toBe(2);
  });

  it('implicit TLS (`security: tls`)', async () => {
    const s = await server({ secure: true, key: cert.key, cert: cert.cert });
    await runPipeline(doc(s.port, { security: 'tls', ca: cert.certPath }, 2));
    const { mails } = await s.received();
    expect(mails).toHaveLength(2);
    expect(mails.every((m) => m.secure)).toBe(true);
  });

  it('retries temporary refusals (451) with backoff until they go through', async () => {
    const s = await server({ tempFailFirst: 2 });
    const { job } = await runPipeline(doc(s.port, { retries: 3 }, 4));
    expect((await s.received()).mails).toHaveLength(4);
    expect(metricsOf(job, 'failed').recordsIn).toBe(0);
    expect(metricsOf(job, 'mail').errors).toBe(8);
  });

  it('a permanent refusal (550) goes to errors at once with its code', async () => {
    const s = await server({ refuse: ['nobody@example.com'] });
    const { job } = await runPipeline(doc(s.port, { to: 'nobody@example.com', retries: 3 }, 3));
    const { mails, attempts } = await s.received();
    expect(mails).toHaveLength(0);
    expect(attempts).toHaveLength(3);
    expect(metricsOf(job, 'failed').recordsIn).toBe(3);
  });

  it('a record missing a template field goes to errors naming the field', async () => {
    const s = await server();
    const { job } = await runPipeline(doc(s.port, { subject: 'Order {orderId}' }, 2));
    expect(metricsOf(job, 'failed').recordsIn).toBe(2);
    expect((await s.received()).mails).toHaveLength(0);
  });

  it('server down: retries, then every record to errors; nothing lost', async () => {
    const s = await server();
    const port = s.port;
    await s.stop();
    const { job, outcome } = await runPipeline(doc(port, { retries: 2, backoff: '10ms', timeout: '2s' }, 4));
    expect(outcome).toBe('finished');
    expect(metricsOf(job, 'failed').recordsIn).toBe(4);
    // 3 attempts per record: 2 failed retries counted, plus the record itself.
    expect(metricsOf(job, 'mail').errors).toBe(12);
  });

  it('keeps to the rate limit: at most `messages` started in any window of `per`', async () => {
    const s = await server();
    const t0 = Date.now();
    // One connection, so the server's clock sees the starts spaced as the client made them. The
    // first window's starts bunch up behind the connection's opening, so check windows after it.
    await runPipeline(doc(s.port, { rateLimit: { messages: 3, per: '400ms' }, capacity: 1 }, 10));
    const took = Date.now() - t0;
    const { mails, attempts } = await s.received();
    expect(mails).toHaveLength(10);
    const at = [...attempts].sort((a, b) => a - b);
    // 10 messages, 3 per 400 ms: the 10th starts no earlier than 3 windows after the first could.
    expect(at[9]! - t0).toBeGreaterThanOrEqual(1200);
    for (let i = 6; i < at.length; i++) expect(at[i]! - at[i - 3]!).toBeGreaterThanOrEqual(400 - 25);
    expect(took).toBeGreaterThanOrEqual(1200);
  });
});
