// Folders for sinks and checkpoints: made like mkdir -p, and a place where no folder can be made
// fails at once instead of hanging (Node's recursive mkdir never settles under /proc).
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirs } from '../../runtime/connectors/files/make-dirs.js';
import { NodeError } from '../../runtime/engine/errors.js';
import { runPipeline } from '../support/run.js';

const within = <T>(ms: number, p: Promise<T>) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms))]);

describe('makeDirs', () => {
  it('makes the missing levels and returns the first one, as mkdir -p does; an existing folder is fine', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dirs-'));
    expect(await makeDirs(join(root, 'a', 'b', 'c'))).toBe(join(root, 'a'));
    expect(statSync(join(root, 'a', 'b', 'c')).isDirectory()).toBe(true);
    expect(await makeDirs(join(root, 'a', 'b'))).toBeUndefined();
  });

  it('fails, not hangs, where no folder can be made: under /proc, or under a file', async () => {
    await expect(within(3000, makeDirs('/proc/tributary-no/such'))).rejects.toMatchObject({ code: 'ENOENT' });
    const root = mkdtempSync(join(tmpdir(), 'dirs-'));
    writeFileSync(join(root, 'file'), '');
    await expect(within(3000, makeDirs(join(root, 'file', 'sub')))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('a sink.file whose folder cannot be made fails the run naming the node', async () => {
    const err = await within(
      10_000,
      runPipeline({
        nodes: [
          { id: 'gen', type: 'source.generator', params: { preset: 'ecommerce', count: 10, rate: 0 } },
          { id: 'out', type: 'sink.file', params: { path: '/proc/tributary-no/out.jsonl' } },
        ],
        edges: [{ from: 'gen', to: 'out' }],
      }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeError);
    expect((err as NodeError).nodeId).toBe('out');
    expect((err as NodeError).message).toMatch(/cannot create the folder for \/proc\/tributary-no\/out\.jsonl/);
  });
});
