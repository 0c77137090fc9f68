// The host decides a document's folder from its own workspace, never from the client's word, and
// Save writes no hidden files or folders. Through the real WebSocket transport.
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostClient } from '../../runtime/host/rpc.js';
import type { StudioServer } from '../../runtime/host/ws-server.js';
import { connect, scratchStudio } from '../support/studio.js';

let server: StudioServer;
let root: string;
let client: HostClient;

beforeAll(async () => {
  ({ server, root } = await scratchStudio());
  ({ client } = await connect(server));
});
afterAll(async () => {
  await server.close();
});

/** Reads /etc/passwd line by line (as CSV with one column) and prints it. */
const passwd = () => ({
  format: 'tributary.pipeline/v1',
  name: 'passwd',
  nodes: [
    { id: 'read', type: 'source.file', params: { path: '/etc/passwd', format: 'csv' } },
    { id: 'print', type: 'sink.console', params: {} },
  ],
  edges: [{ from: 'read', to: 'print' }],
});

describe("a document's folder", () => {
  it('is never `/` because a client says its file is ../../x.json or /x.json', async () => {
    for (const path of ['../../../../x.json', '/x.json', 'a/../../x.json']) {
      const origin = { kind: 'file' as const, path };
      await expect(client.call('run', { doc: passwd(), origin }), path).rejects.toThrow(/workspace/);
      await expect(client.call('trustNeeds', { doc: passwd(), origin }), path).rejects.toThrow(/workspace/);
    }
  });

  it('is the named file\'s folder inside the workspace, where /etc/passwd still needs trust', async () => {
    const res = await client.call('run', { doc: passwd(), origin: { kind: 'file', path: 'jobs/passwd.json' } });
    expect(res).toMatchObject({ ok: false, reason: 'untrusted' });
    expect(res.ok === false && res.reason === 'untrusted' && res.reasons[0]).toContain(`outside the pipeline's folder ${join(root, 'jobs')}`);
  });

  it('cannot leave the workspace through a symbolic link the client names', async () => {
    symlinkSync('/', join(root, 'up'));
    await expect(client.call('run', { doc: passwd(), origin: { kind: 'file', path: 'up/x.json' } })).rejects.toThrow(/outside the workspace/);
  });

  it('is never a hidden folder, where .git/hooks/pre-commit would be an ordinary name inside it', async () => {
    // Claimed to live in .git/hooks, a pipeline writing `pre-commit` there would need no trust and
    // run a command at the user's next commit. Save writes nothing there; Run refuses such origins.
    mkdirSync(join(root, '.git', 'hooks'), { recursive: true });
    symlinkSync(join(root, '.git'), join(root, 'vcs'));
    const hook = {
      format: 'tributary.pipeline/v1',
      name: 'hook',
      nodes: [
        { id: 'gen', type: 'source.generator', params: { count: 1 } },
        { id: 'write', type: 'sink.file', params: { path: 'pre-commit', format: 'jsonl' } },
      ],
      edges: [{ from: 'gen', to: 'write' }],
    };
    for (const path of ['.git/hooks/x.json', 'vcs/hooks/x.json', 'jobs/.x/y.json']) {
      const origin = { kind: 'file' as const, path };
      await expect(client.call('run', { doc: hook, origin }), path).rejects.toThrow(/hidden/);
      await expect(client.call('trustNeeds', { doc: hook, origin }), path).rejects.toThrow(/hidden/);
    }
    expect(existsSync(join(root, '.git', 'hooks', 'pre-commit'))).toBe(false);
  });
});

describe('Save', () => {
  it('writes no hidden files or folders inside the workspace', async () => {
    mkdirSync(join(root, '.git', 'hooks'), { recursive: true });
    for (const path of ['.vscode/tasks.json', '.git/hooks/x.json', 'jobs/.hidden.json', '.eslintrc.json']) {
      await expect(client.call('writeFile', { path, text: '{}\n', overwrite: true }), path).rejects.toThrow(/hidden/);
      expect(existsSync(join(root, path)), path).toBe(false);
    }
    expect(existsSync(join(root, '.vscode'))).toBe(false);
    // Nor through a symbolic link whose name is not hidden.
    symlinkSync(join(root, '.git'), join(root, 'conf'));
    await expect(client.call('writeFile', { path: 'conf/hooks/y.json', text: '{}\n', overwrite: true })).rejects.toThrow(/hidden/);
    expect(existsSync(join(root, '.git', 'hooks', 'y.json'))).toBe(false);
    // Ordinary names (dots inside them included) save as before.
    expect(await client.call('writeFile', { path: 'jobs/carts.v2.json', text: '{}\n', overwrite: true })).toEqual({ path: 'jobs/carts.v2.json' });
  });
});
