// The request options of a sink.http node, resolved once at open (both delivery guarantees).
import type { DeliveryOptions } from '../../connectors/http/post.js';
import { resolveEnv } from '../../connectors/env.js';
import { NodeError } from '../../engine/errors.js';
import { parseDuration } from '../../format/duration.js';
import type { ParamsOf } from '../spec.js';
import type { sinkHttpSpec } from './spec.js';

export function httpDelivery(nodeId: string, p: ParamsOf<typeof sinkHttpSpec>, shownUrl: string): DeliveryOptions {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.headers)) headers[k] = resolveEnv(v, nodeId, `headers.${k}`);
  let url: URL;
  try {
    url = new URL(resolveEnv(p.url, nodeId, 'url'));
  } catch (err) {
    if (err instanceof NodeError) throw err;
    throw new NodeError(nodeId, `url: not a valid URL: ${shownUrl}`);
  }
  // A URL from the environment is checked here: fetch would "deliver" to data: or file: without a server.
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new NodeError(nodeId, `url: only http:// and https:// URLs are sent, got ${url.protocol}`);
  // fetch refuses credentials in the URL (and would print them); send them as Basic auth instead.
  if (url.username || url.password) {
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) {
      headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    }
    url.username = '';
    url.password = '';
  }
  return {
    url: url.toString(),
    method: p.method,
    headers,
    retries: p.retries,
    backoff: parseDuration(p.backoff)!,
    timeout: parseDuration(p.timeout)!,
  };
}
