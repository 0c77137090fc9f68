// The checkpoint file: what JSON cannot carry survives, damage is recognised, writes are atomic,
// old checkpoints are pruned, and resuming skips a damaged newest file for the one before.
import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorruptCheckpointError, decodeCheckpoint, encodeCheckpoint, FolderCheckpointStore, newestCheckpoint, readCheckpoint } from '../../runtime/connectors/files/checkpoints.js';
import { CHECKPOINT_VERSION, type CheckpointData } from '../../runtime/engine/checkpoint/snapshot.js';
import { scratch } from './pipeline.js';

function data(id: number): CheckpointData {
  return {
    version: CHECKPOINT_VERSION,
    id,
    kind: 'checkpoint',
    pipeline: 'p',
    takenAt: 1,
    nodes: { cep: { type: 'cep', state: { kind: 'cep', version: 1, data: { timerAt: Infinity, low: -Infinity, cols: new Float64Array([1, 2]) } } } },
  };
}

describe('checkpoint files', () => {
  it('round-trip Infinity and typed arrays (a CEP snapshot is not JSON-safe)', () => {
    const back = decodeCheckpoint('x', encodeCheckpoint(data(7)));
    expect(back).toEqual(data(7));
    expect((back.nodes.cep!.state!.data as { cols: unknown }).cols).toBeInstanceOf(Float64Array);
  });

  it('refuse a truncated file, a flipped byte, another format version and a foreign file, saying which', () => {
    const buf = encodeCheckpoint(data(1));
    expect(() => decodeCheckpoint('a.ckpt', buf.subarray(0, buf.length - 3))).toThrow(/a\.ckpt is not a usable checkpoint: truncated/);
    const flipped = Buffer.from(buf);
    flipped[flipped.length - 5] ^= 0xff;
    expect(() => decodeCheckpoint('b.ckpt', flipped)).toThrow(/checksum mismatch/);
    const newer = Buffer.from(buf);
    newer.writeUInt32LE(CHECKPOINT_VERSION + 1, 8);
    expect(() => decodeCheckpoint('c.ckpt', newer)).toThrow(/format version 2, this version reads 1/);
    expect(() => decodeCheckpoint('d.ckpt', Buffer.from('{"hello": 1}'))).toThrow(CorruptCheckpointError);
  });

  it('write atomically, keep the newest three checkpoints and every savepoint kind apart, and number on', async () => {
    const dir = scratch();
    const store = new FolderCheckpointStore(dir);
    for (let id = 1; id <= 5; id++) await store.persist(id, 'checkpoint', encodeCheckpoint(data(id)));
    await store.persist(6, 'savepoint', encodeCheckpoint({ ...data(6), kind: 'savepoint' }));
    expect(readdirSync(dir).sort()).toEqual(['chk-000003.ckpt', 'chk-000004.ckpt', 'chk-000005.ckpt', 'savepoint-000006.ckpt']);
    expect(await store.nextId()).toBe(7);
    expect((await readCheckpoint(join(dir, 'chk-000005.ckpt'))).id).toBe(5);
    await store.clear();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('resume from the newest whole file, reporting the damaged ones it skipped', async () => {
    const dir = scratch();
    const store = new FolderCheckpointStore(dir);
    for (let id = 1; id <= 3; id++) await store.persist(id, 'checkpoint', encodeCheckpoint(data(id)));
    const newest = join(dir, 'chk-000003.ckpt');
    truncateSync(newest, statSync(newest).size - 1);
    const second = join(dir, 'chk-000002.ckpt');
    writeFileSync(second, readFileSync(second).subarray(0, 10));
    const { found, skipped } = await newestCheckpoint([dir]);
    expect(found?.data.id).toBe(1);
    expect(skipped.map((s) => s.path)).toEqual([newest, second]);
    expect(skipped[1]!.message).toMatch(/not a usable checkpoint/);
  });
});
