// POST over node's own http/https client with a keep-alive agent per model: one connection per
// request in flight (the node's `concurrency`), reused across requests, the body sent as one
// buffer. fetch() costs little per request but copies request and response bodies through web
// streams, which at megabyte bodies was a tenth of the node's CPU time.
import { constants } from 'node:buffer';
import http from 'node:http';
import https from 'node:https';

export interface PostResult {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  /**
   * The whole request body had left for the socket's kernel buffer when the answer came. A server
   * may answer before it has read the body; until then the socket may still read the caller's
   * buffer, which must not be reused.
   */
  readonly flushed: boolean;
}

/**
 * The largest response read: the longest string V8 makes (~512 MiB), since a JSON answer is parsed
 * from one. A bigger (or endless) answer fails its request instead of filling the heap.
 */
export const MAX_RESPONSE_BYTES = constants.MAX_STRING_LENGTH;

/** A request that ran out of time (its error's name, as fetch's). */
export class PostTimeout extends Error {
  override readonly name = 'TimeoutError';
}

export class HttpPoster {
  private readonly agent: http.Agent;
  private readonly secure: boolean;

  constructor(base: string, connections: number, private readonly maxBytes = MAX_RESPONSE_BYTES) {
    this.secure = base.startsWith('https:');
    const opts = { keepAlive: true, maxSockets: connections, maxFreeSockets: connections, scheduling: 'lifo' as const };
    this.agent = this.secure ? new https.Agent(opts) : new http.Agent(opts);
  }

  post(url: string, headers: Record<string, string | number>, body: string | Uint8Array, timeoutMs: number): Promise<PostResult> {
    return new Promise((resolve, reject) => {
      const req = (this.secure ? https : http).request(url, { method: 'POST', agent: this.agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > this.maxBytes) req.destroy(new Error(`the response is larger than ${this.maxBytes} bytes`));
          else chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), flushed: req.writableFinished });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      });
      const timer = setTimeout(() => req.destroy(new PostTimeout(`no response in ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
