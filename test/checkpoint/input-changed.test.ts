// A file source's checkpointed position is a count of chunks read: it only means something over
// the same bytes. A restore after the input file was edited, appended to or replaced must refuse
// (naming the node and the file) rather than skip the wrong records; an unchanged file resumes.
import { appendFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { killWhen } from './kill-support.js';
import { scratch, writePipeline } from './pipeline.js';

const ckptDir = (dir: string) => join(dir, '.tributary', 'checkpoints', 'kill');
const ckptFiles = (dir: string) => (existsSync(ckptDir(dir)) ? readdirSync(ckptDir(dir)).filter((n) => n.endsWith('.ckpt')) : []);

// The file branch ends at once; the throttled generator keeps the run alive until it is killed, so
// a checkpoint holding the file source's position is certain to be taken (no race with the end).
function pipeline(): Parameters<typeof writePipeline>[1] {
  return {
    nodes: [
      { id: 'orders', type: 'source.file', params: { path: 'orders.jsonl' } },
      { id: 'ordersOut', type: 'sink.file', params: { path: 'out/orders.jsonl' } },
      { id: 'clicks', type: 'source.generator', params: { rate: 200, seed: 3 } },
      { id: 'clicksOut', type: 'sink.file', params: { path: 'out/clicks.jsonl' } },
    ],
    edges: [
      { from: 'orders', to: 'ordersOut' },
      { from: 'clicks', to: 'clicksOut' },
    ],
  };
}

describe('restore after the input file changed', () => {
  it('refuses with the reason when the file changed; resumes when it did not', { timeout: 120_000 }, async () => {
    const dir = scratch();
    const input = join(dir, 'orders.jsonl');
    writeFileSync(input, Array.from({ length: 10_000 }, (_, i) => JSON.stringify({ i })).join('\n') + '\n');
    const p = writePipeline(dir, pipeline());
    const args = ['run', p, '--trust', '--checkpoint-interval', '100ms'];

    const first = await killWhen(args, ckptDir(dir), (files) => files.length >= 1);
    expect(first.signal, first.stderr).toBe('SIGKILL');

    // Unchanged: the restore is accepted (killed again once it has checkpointed on its own).
    const before = new Set(ckptFiles(dir));
    const again = await killWhen(args, ckptDir(dir), (files) => files.some((n) => !before.has(n)));
    expect(again.signal, again.stderr).toBe('SIGKILL');
    expect(again.stderr).toMatch(/resuming from .*chk-\d+\.ckpt/);

    // Appended to: the recorded position no longer describes the file.
    appendFileSync(input, JSON.stringify({ i: 'new' }) + '\n');
    const refused = await runCli(['run', p, '--trust', '-q'], { timeout: 60_000 });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/orders.*orders\.jsonl changed since the checkpoint was taken \(\d+ bytes then, \d+ now\).*--fresh/s);
    // Refusing kept the checkpoints: restoring the file makes the run resumable again.
    expect(ckptFiles(dir).length).toBeGreaterThan(0);
  });
});
