// The keep-alive POST client of remote models against a real HTTP server on 127.0.0.1: a
// response that stalls, one cut off mid-body and one too large each fail their request with a
// reason, and closing the client frees its sockets.
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpPoster } from '../../../runtime/nodes/infer/http-post.js';

let server: Server | null = null;
let poster: HttpPoster | null = null;

afterEach(async () => {
  poster?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = null;
});

async function start(): Promise<string> {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/stall') res.writeHead(200).write('{"a":');
      else if (req.url === '/cut') {
        res.writeHead(200).write('{"a":');
        setTimeout(() => res.socket?.destroy(), 20);
      } else if (req.url === '/big') {
        res.writeHead(200);
        const chunk = Buffer.alloc(64 * 1024, 32);
        let sent = 0;
        const pump = (): void => {
          while (sent++ < 64) if (!res.write(chunk)) return void res.once('drain', pump);
          res.end();
        };
        pump();
      } else res.writeHead(200, { 'content-type': 'application/json' }).end(`{"echo":${JSON.stringify(req.headers['x-test'] ?? null)}}`);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('infer: the HTTP client of remote models', () => {
  it('answers, and reuses one keep-alive connection for requests one after another', async () => {
    const base = await start();
    let connections = 0;
    server!.on('connection', () => connections++);
    poster = new HttpPoster(base, 2);
    for (let i = 0; i < 3; i++) {
      const r = await poster.post(`${base}/ok`, { 'x-test': `n${i}` }, '{}', 5_000);
      expect([r.status, JSON.parse(r.body.toString())]).toEqual([200, { echo: `n${i}` }]);
    }
    expect(connections).toBe(1);
  });

  it('a response that stalls times out, one cut off mid-body fails, one over the size limit fails', async () => {
    const base = await start();
    poster = new HttpPoster(base, 2, 1024 * 1024);
    const t0 = performance.now();
    await expect(poster.post(`${base}/stall`, {}, '{}', 300)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    await expect(poster.post(`${base}/cut`, {}, '{}', 5_000)).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(poster.post(`${base}/big`, {}, '{}', 5_000)).rejects.toThrow('the response is larger than 1048576 bytes');
    // The client still works after each failure.
    expect((await poster.post(`${base}/ok`, {}, '{}', 5_000)).status).toBe(200);
  });
});
