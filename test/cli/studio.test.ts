// `tributary studio`: serves the built editor and the host on 127.0.0.1 with a per-launch token.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostInfo } from '../../runtime/host/contract.js';
import { runCli } from '../support/cli.js';
import { startStudioCli } from '../support/studio-cli.js';
import { connect } from '../support/studio.js';

describe('tributary studio', () => {
  it('serves the editor under a CSP, opens the given file, answers only token holders, stops on interrupt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-studio-cli-'));
    const text = `${JSON.stringify({ format: 'tributary.pipeline/v1', name: 'x', nodes: [] }, null, 2)}\n`;
    writeFileSync(join(dir, 'x.json'), text);
    const studio = await startStudioCli([join(dir, 'x.json')]);
    try {
      expect(studio.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{20,}$/);
      const page = await fetch(`http://127.0.0.1:${studio.port}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await page.text();
      const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(html)![1]!;
      expect((await fetch(`http://127.0.0.1:${studio.port}/${script}`)).headers.get('content-type')).toMatch(/javascript/);

      const server = { port: studio.port, token: studio.token } as Parameters<typeof connect>[0];
      await expect(connect(server, { token: 'nope' })).rejects.toThrow(/401/);
      const { client, ws } = await connect(server);
      const info: HostInfo = await client.call('hello', {});
      expect(info.root).toBe(dir);
      expect(info.initial).toEqual({ origin: { kind: 'file', path: 'x.json' }, text });
      ws.close();
    } finally {
      expect(await studio.stop()).toBe(0);
    }
  });

  it('stops on interrupt even while a pipeline is stuck in its own code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-studio-cli-'));
    const studio = await startStudioCli([join(dir, 'stuck.json')]);
    const server = { port: studio.port, token: studio.token } as Parameters<typeof connect>[0];
    const { client } = await connect(server);
    const doc = {
      format: 'tributary.pipeline/v1',
      name: 'stuck',
      nodes: [
        { id: 'clicks', type: 'source.generator', params: { rate: 100 } },
        { id: 'loop', type: 'filter', params: { code: 'while (true) {}' } },
        { id: 'out', type: 'sink.console', params: {} },
      ],
      edges: [
        { from: 'clicks', to: 'loop' },
        { from: 'loop', to: 'out' },
      ],
    };
    await client.call('trust', { doc, origin: { kind: 'new' } });
    expect(await client.call('run', { doc, origin: { kind: 'new' } })).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 300));
    // Ctrl-C: the job cannot flush (its thread never yields), so it is ended after the grace period.
    const t0 = Date.now();
    expect(await studio.stop()).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('describes itself in --help', async () => {
    const r = await runCli(['studio', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--no-open/);
    expect(r.stdout).toMatch(/--port/);
  });
});
