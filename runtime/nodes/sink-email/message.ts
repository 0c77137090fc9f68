// What both delivery guarantees of sink.email share: the message a record becomes, and the SMTP
// client opened from the node's params.
import { readFile } from 'node:fs/promises';
import type { SendMailOptions } from 'nodemailer';
import { resolveEnv } from '../../connectors/env.js';
import { Mailer, type RetryOptions } from '../../connectors/smtp/mailer.js';
import { SlidingWindowLimit } from '../../connectors/smtp/rate-limit.js';
import { NodeError, errorMessage } from '../../engine/errors.js';
import { compileTemplate } from '../../expr/index.js';
import { parseDuration } from '../../format/duration.js';
import type { ParamsOf } from '../spec.js';
import type { sinkEmailSpec } from './spec.js';

type Params = ParamsOf<typeof sinkEmailSpec>;
type Fill = (rec: unknown) => string;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** Retries, backoff and the rate limit every send of the node shares (one limit per node). */
export function retryOptions(p: Params): RetryOptions {
  return {
    retries: p.retries,
    backoff: parseDuration(p.backoff)!,
    limit: p.rateLimit === undefined ? null : new SlidingWindowLimit(p.rateLimit.messages, parseDuration(p.rateLimit.per)!),
  };
}

/** Compile the templates once; the function fills them from a record, or throws with the reason. */
export function messageBuilder(p: Params): (rec: unknown, from: string) => SendMailOptions {
  const to: Fill = compileTemplate(p.to, { label: 'to' });
  const subject: Fill = compileTemplate(p.subject, { label: 'subject' });
  const text: Fill | null = p.text === undefined ? null : compileTemplate(p.text, { label: 'text' });
  const html: Fill | null = p.html === undefined ? null : compileTemplate(p.html, { label: 'html', escape: escapeHtml });
  return (rec, from) => {
    const msg: SendMailOptions = { from, to: to(rec), subject: subject(rec) };
    if (text !== null) msg.text = text(rec);
    if (html !== null) msg.html = html(rec);
    return msg;
  };
}

/** The sender and the SMTP client, from the node's params (environment references resolved). */
export async function openMailer(nodeId: string, p: Params, resolvePath: (path: string) => string): Promise<{ from: string; mailer: Mailer }> {
  let ca: string | undefined;
  if (p.ca !== undefined) {
    try {
      ca = await readFile(resolvePath(p.ca), 'utf8');
    } catch (err) {
      throw new NodeError(nodeId, `ca: cannot read ${p.ca}: ${errorMessage(err)}`);
    }
  }
  const from = resolveEnv(p.from, nodeId, 'from');
  const auth = p.user === undefined || p.password === undefined ? null : { user: resolveEnv(p.user, nodeId, 'user'), pass: resolveEnv(p.password, nodeId, 'password') };
  let port = p.security === 'tls' ? 465 : 587;
  if (typeof p.port === 'number') port = p.port;
  else if (p.port !== undefined) {
    const text = resolveEnv(p.port, nodeId, 'port');
    port = Number(text);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new NodeError(nodeId, `port: ${JSON.stringify(text)} is not a port number`);
  }
  const mailer = new Mailer(nodeId, {
    host: resolveEnv(p.host, nodeId, 'host'),
    port,
    security: p.security,
    ca,
    rejectUnauthorized: p.rejectUnauthorized,
    auth,
    timeout: parseDuration(p.timeout)!,
    capacity: p.capacity,
  });
  return { from, mailer };
}
