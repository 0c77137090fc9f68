// One SMTP client per sink node (nodemailer, pooled): connection and TLS options from the node's
// params, and a send with retries that resolves with the outcome, so the sink can route a failed
// message to its errors port. Only a refused login or a certificate that does not verify rejects:
// every later message would fail the same way, so the run should stop and say so.
import { isIP } from 'node:net';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { NodeError, errorMessage } from '../../engine/errors.js';
import type { SlidingWindowLimit } from './rate-limit.js';

export interface MailerOptions {
  readonly host: string;
  readonly port: number;
  readonly security: 'starttls' | 'tls' | 'none';
  readonly ca: string | undefined;
  readonly rejectUnauthorized: boolean;
  readonly auth: { user: string; pass: string } | null;
  readonly timeout: number;
  readonly capacity: number;
}

export interface Outcome {
  readonly ok: boolean;
  /** SMTP reply code of the last failure, if the server gave one. */
  readonly code: number | null;
  readonly error: string | null;
  readonly attempts: number;
}

export interface RetryOptions {
  readonly retries: number;
  readonly backoff: number;
  readonly limit: SlidingWindowLimit | null;
}

const CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

type SmtpError = Error & { code?: string; responseCode?: number; cause?: { code?: string } };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Mailer {
  private readonly transport: Transporter;
  /** `host:port` for messages. */
  readonly server: string;

  constructor(
    private readonly nodeId: string,
    o: MailerOptions,
  ) {
    this.server = `${o.host}:${o.port}`;
    this.transport = nodemailer.createTransport({
      pool: true,
      maxConnections: o.capacity,
      host: o.host,
      port: o.port,
      secure: o.security === 'tls',
      requireTLS: o.security === 'starttls',
      ignoreTLS: o.security === 'none',
      auth: o.auth ?? undefined,
      // SNI takes host names only (RFC 6066); an IP address is checked against the certificate without it.
      tls: { ca: o.ca, rejectUnauthorized: o.rejectUnauthorized, ...(isIP(o.host) === 0 ? { servername: o.host } : {}) },
      connectionTimeout: o.timeout,
      greetingTimeout: o.timeout,
      socketTimeout: o.timeout,
      // nodemailer logs nothing unless asked; say so, since auth would otherwise be in its debug output.
      logger: false,
      debug: false,
    });
  }

  async send(msg: SendMailOptions, r: RetryOptions): Promise<Outcome> {
    let last: Outcome = { ok: false, code: null, error: 'not sent', attempts: 0 };
    for (let attempt = 0; attempt <= r.retries; attempt++) {
      const wait = r.limit?.reserve() ?? 0;
      if (wait > 0) await sleep(wait);
      try {
        await this.transport.sendMail(msg);
        return { ok: true, code: null, error: null, attempts: attempt + 1 };
      } catch (err) {
        const e = err as SmtpError;
        const code = typeof e.responseCode === 'number' ? e.responseCode : null;
        if (e.code === 'EAUTH' && (code === null || code >= 500)) throw new NodeError(this.nodeId, `${this.server} refused the login: ${errorMessage(err)}`);
        const certCode = CERT_CODES.has(e.code ?? '') ? e.code : CERT_CODES.has(e.cause?.code ?? '') ? e.cause!.code : null;
        if (certCode || /certificate/i.test(e.message)) {
          throw new NodeError(this.nodeId, `${this.server}: the server's TLS certificate does not verify (${errorMessage(err)}); give its authority in 'ca', or set rejectUnauthorized: false for a test server`);
        }
        last = { ok: false, code, error: errorMessage(err), attempts: attempt + 1 };
        // A permanent refusal (5xx: unknown recipient, message rejected) will not change on retry.
        if (code !== null && code >= 500) return last;
      }
      if (attempt < r.retries) await sleep(r.backoff * 2 ** attempt);
    }
    return last;
  }

  close(): void {
    this.transport.close();
  }
}
