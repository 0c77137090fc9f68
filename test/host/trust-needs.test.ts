// What needs trust: code, and file paths that leave the pipeline's folder (by `..`, an absolute
// path or a symbolic link) or reach Tributary's own settings, where the trust store lives.
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validatePipeline } from '../../runtime/format/validate.js';
import { trustReasons, trustReasonsOf } from '../../runtime/host/trust-needs.js';

function scratch(): { folder: string; home: string } {
  const top = mkdtempSync(join(tmpdir(), 'tributary-trust-'));
  const folder = join(top, 'project');
  const home = join(top, 'settings');
  mkdirSync(folder);
  mkdirSync(home);
  return { folder, home };
}

function pipelineWith(nodes: unknown[], edges: unknown[]) {
  const r = validatePipeline({ format: 'tributary.pipeline/v1', nodes, edges });
  expect(r.problems).toEqual([]);
  return r.pipeline!;
}

const toFile = (path: string) =>
  pipelineWith(
    [
      { id: 'clicks', type: 'source.generator', params: { count: 1 } },
      { id: 'out', type: 'sink.file', params: { path } },
    ],
    [{ from: 'clicks', to: 'out' }],
  );

describe('trust reasons', () => {
  it('a pipeline whose files stay in its folder needs no trust', async () => {
    const { folder, home } = scratch();
    for (const path of ['out/x.jsonl', './x.jsonl', 'a/../b/x.jsonl', join(folder, 'abs.jsonl')]) {
      expect(await trustReasons(toFile(path), folder, join(home, 'trusted.json'))).toEqual([]);
    }
  });

  it('paths leaving the folder need trust, with the node, the param and where the file really is', async () => {
    const { folder, home } = scratch();
    expect(await trustReasons(toFile('/etc/passwd'), folder, join(home, 'trusted.json'))).toEqual([`node 'out' (params.path) uses the file /etc/passwd, outside the pipeline's folder ${folder}`]);
    expect(await trustReasons(toFile('../.bashrc'), folder, join(home, 'trusted.json'))).toEqual([`node 'out' (params.path) uses the file ${join(folder, '..', '.bashrc')}, outside the pipeline's folder ${folder}`]);
  });

  it('hidden files and folders inside the folder need trust (.git/config can run commands)', async () => {
    const { folder, home } = scratch();
    expect(await trustReasons(toFile('.git/config'), folder, join(home, 'trusted.json'))).toEqual([
      `node 'out' (params.path) uses the file ${join(folder, '.git', 'config')}, a hidden file or folder inside the pipeline's folder`,
    ]);
    expect(await trustReasons(toFile('out/.envrc'), folder, join(home, 'trusted.json'))).toHaveLength(1);
    expect(await trustReasons(toFile('out/report.v2.jsonl'), folder, join(home, 'trusted.json'))).toEqual([]);
  });

  it('a symbolic link inside the folder counts where it points', async () => {
    const { folder, home } = scratch();
    const elsewhere = mkdtempSync(join(tmpdir(), 'tributary-elsewhere-'));
    symlinkSync(elsewhere, join(folder, 'out'));
    const reasons = await trustReasons(toFile('out/not-yet/x.jsonl'), folder, join(home, 'trusted.json'));
    expect(reasons).toEqual([`node 'out' (params.path) uses the file ${join(elsewhere, 'not-yet', 'x.jsonl')}, outside the pipeline's folder ${folder}`]);
  });

  it('the trust store and the settings folder are off limits, even inside the pipeline\'s folder', async () => {
    const { folder, home } = scratch();
    const store = join(folder, '.trust.json');
    const off = (file: string) => `node 'out' (params.path) uses the file ${file}, inside Tributary's own settings (its trust store lives there)`;
    expect(await trustReasons(toFile('.trust.json'), folder, store)).toEqual([off(store)]);
    expect(await trustReasons(toFile('.trust.json.42.tmp'), folder, store)).toEqual([off(`${store}.42.tmp`)]);
    expect(await trustReasons(toFile('out/x.jsonl'), folder, store)).toEqual([]);
    const before = process.env.TRIBUTARY_HOME;
    process.env.TRIBUTARY_HOME = join(folder, 'state');
    try {
      expect(await trustReasons(toFile('state/recent.json'), folder, join(home, 'trusted.json'))).toEqual([off(join(folder, 'state', 'recent.json'))]);
    } finally {
      if (before === undefined) delete process.env.TRIBUTARY_HOME;
      else process.env.TRIBUTARY_HOME = before;
    }
  });

  it('code, and every file param (Kafka TLS files too) is checked', async () => {
    const { folder, home } = scratch();
    const p = pipelineWith(
      [
        { id: 'events', type: 'source.kafka', params: { brokers: '127.0.0.1:9092', topic: 't', groupId: 'g', ssl: { ca: 'certs/ca.pem', key: '/home/someone/.ssh/id_rsa' } } },
        { id: 'fn', type: 'filter', params: { code: 'return true;' } },
        { id: 'out', type: 'sink.console' },
      ],
      [
        { from: 'events', to: 'fn' },
        { from: 'fn', to: 'out' },
      ],
    );
    expect(await trustReasons(p, folder, join(home, 'trusted.json'))).toEqual([
      "node 'fn' contains JavaScript code, which runs with your permissions",
      `node 'events' (params.ssl.key) uses the file /home/someone/.ssh/id_rsa, outside the pipeline's folder ${folder}`,
    ]);
  });

  it('an invalid document has no reasons: it cannot run', async () => {
    expect(await trustReasonsOf({ format: 'tributary.pipeline/v1', nodes: [] }, tmpdir())).toBeNull();
  });
});
