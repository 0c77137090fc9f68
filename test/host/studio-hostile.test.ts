// Hostile WebSocket clients against a real `tributary studio` process: a bad frame closes that
// client's socket with the protocol's code and nothing else; editors beyond the cap are turned
// away with a reason; a busy port is a message, not a stack trace. Raw frames come from a client
// written against the wire (support/raw-ws.ts), since no WebSocket library sends invalid UTF-8.
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEvents } from '../../runtime/host/contract.js';
import { MAX_DOCUMENT_CHARS } from '../../runtime/host/contract.js';
import { MAX_EDITORS, MAX_MESSAGE_BYTES } from '../../runtime/host/ws-server.js';
import { runCli } from '../support/cli.js';
import { openRaw } from '../support/raw-ws.js';
import { startStudioCli, type StudioProcess } from '../support/studio-cli.js';
import { connect, waitFor } from '../support/studio.js';

let studio: StudioProcess;
let dir: string;
const server = () => ({ port: studio.port, token: studio.token }) as Parameters<typeof connect>[0];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-hostile-'));
  studio = await startStudioCli([join(dir, 'x.json')]);
});
afterAll(async () => {
  expect(await studio.stop()).toBe(0);
});

/**
 * A connection the studio keeps, retried while editors of earlier tests are still leaving. A
 * refused one is closed right after the handshake; `hello` (which starts the editor's host
 * thread) makes sure, where a test needs that.
 */
async function accepted(opts: { hello?: boolean } = {}): Promise<Awaited<ReturnType<typeof connect>>> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const c = await connect(server());
    const closed = new Promise<false>((r) => c.ws.once('close', () => r(false)));
    const kept = opts.hello
      ? await Promise.race([closed, c.client.call('hello', {}).then(() => true, () => false)])
      : await Promise.race([closed, new Promise<true>((r) => setTimeout(() => r(true), 1000))]);
    if (kept) return c;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the studio kept refusing editors');
}

const slowJob = () => ({
  format: 'tributary.pipeline/v1',
  name: 'slow',
  nodes: [
    { id: 'clicks', type: 'source.generator', params: { rate: 500, count: 2000, seed: 1 } },
    { id: 'out', type: 'sink.file', params: { path: 'out/a.jsonl' } },
  ],
  edges: [{ from: 'clicks', to: 'out' }],
});

describe('tributary studio under hostile clients', () => {
  it('closes a socket that sends invalid UTF-8 (1007) or too big a message (1009); another editor\'s job runs on and publishes its file', async () => {
    const { client, ws: editor } = await connect(server());
    const ended = waitFor<HostEvents['job']>(client, 'job', (j) => j.state !== 'running', 60_000);
    expect(await client.call('run', { doc: slowJob(), origin: { kind: 'new' } })).toMatchObject({ ok: true });

    const utf8 = await openRaw(studio.port, studio.token);
    utf8.frame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    expect(await utf8.closed()).toMatchObject({ code: 1007 });

    // Only the header, claiming one byte over the limit: the server must refuse on the length alone.
    const big = await openRaw(studio.port, studio.token);
    big.frame(0x1, Buffer.alloc(0), { claimLength: MAX_MESSAGE_BYTES + 1 });
    expect(await big.closed()).toMatchObject({ code: 1009 });

    // The same in pieces: fragments that add up past the limit.
    const pieces = await openRaw(studio.port, studio.token);
    pieces.socket.write(Buffer.from([0x01, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4])); // text, not final, empty
    pieces.frame(0x0, Buffer.alloc(0), { claimLength: MAX_MESSAGE_BYTES + 1 });
    expect(await pieces.closed()).toMatchObject({ code: 1009 });

    // A client that vanishes mid-frame.
    const gone = await openRaw(studio.port, studio.token);
    gone.socket.write(Buffer.from([0x81, 0xfe, 0x10]));
    gone.socket.destroy();

    // Still serving: a new editor says hello, and the first editor's job finishes and publishes.
    const { client: other, ws } = await connect(server());
    expect((await other.call('hello', {})).root).toBe(dir);
    ws.close();
    expect((await ended).state).toBe('finished');
    editor.close();
    const lines = readFileSync(join(dir, 'out', 'a.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2000);
    expect(readdirSync(join(dir, 'out')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(studio.child.exitCode).toBeNull();
    expect(studio.stderr()).toMatch(/closed an editor's connection: .*UTF-8/);
  });

  it('saves the longest document the host accepts, every character three UTF-8 bytes, under the message limit', async () => {
    const { client, ws } = await connect(server());
    const text = '€'.repeat(MAX_DOCUMENT_CHARS);
    expect(Buffer.byteLength(JSON.stringify({ kind: 'call', id: 1, method: 'writeFile', params: { path: 'big.json', text, overwrite: true } }))).toBeLessThan(MAX_MESSAGE_BYTES);
    expect(await client.call('writeFile', { path: 'big.json', text, overwrite: true })).toEqual({ path: 'big.json' });
    expect(statSync(join(dir, 'big.json')).size).toBe(MAX_DOCUMENT_CHARS * 3);
    // One character more is refused with a message, and the connection stays.
    await expect(client.call('writeFile', { path: 'big.json', text: `${text}€`, overwrite: true })).rejects.toThrow(/at most 8000000 characters/);
    expect((await client.call('hello', {})).root).toBe(dir);
    ws.close();
  });

  it(`turns away editors beyond ${MAX_EDITORS} with a reason, and takes one again once another leaves`, async () => {
    // Editors of the tests above may still be leaving (their threads ending): count as they go.
    const open: Awaited<ReturnType<typeof connect>>[] = [];
    for (let i = 0; i < MAX_EDITORS; i++) open.push(await accepted());
    const extra = await openRaw(studio.port, studio.token);
    const closed = await extra.closed();
    expect(closed?.code).toBe(1013);
    expect(closed?.reason).toMatch(new RegExp(`too many editors: at most ${MAX_EDITORS}`));

    open[0]!.ws.close();
    const again = await accepted({ hello: true });
    for (const { ws } of [...open.slice(1), again]) ws.close();
  }, 180_000);
});

describe('tributary studio on a busy port', () => {
  it('says the port is in use, with what to do, and no stack trace', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = await runCli(['studio', '--no-open', '--port', String(port), join(dir, 'x.json')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`tributary: port ${port} on 127.0.0.1 is in use: pass another --port, or none to take a free one`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      busy.close();
    }
  });
});
