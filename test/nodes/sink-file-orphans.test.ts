// Orphaned temporary files of the file sink: removed only when their process is gone, and never
// when a checkpoint names them (the restore continues that file) or the run keeps it.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { expect, it } from 'vitest';
import { removeOrphans } from '../../runtime/nodes/sink-file/orphans.js';

const deadPid = () =>
  new Promise<number>((resolve) => {
    const c = spawn(process.execPath, ['-e', '0']);
    c.on('exit', () => resolve(c.pid!));
  });

it('keeps files a checkpoint names (Latin-1 or UTF-16 in the v8 payload) and the ones it is told to keep', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-orphans-'));
  const dead = await deadPid();
  const names = {
    orphan: `.out.jsonl.${dead}.a1.tmp`,
    inCheckpoint: `.out.jsonl.${dead}.a2.tmp`,
    kept: `.out.jsonl.${dead}.a3.tmp`,
    live: `.out.jsonl.${process.pid}.a4.tmp`,
    other: `.other.jsonl.${dead}.a5.tmp`,
  };
  for (const n of Object.values(names)) writeFileSync(join(dir, n), 'partial\n');
  // A non-Latin-1 target: v8 writes its name as UTF-16.
  const wide = `.ünï€.jsonl.${dead}.b1.tmp`;
  writeFileSync(join(dir, wide), 'partial\n');
  const ck = join(dir, '.tributary', 'checkpoints', 'p');
  mkdirSync(ck, { recursive: true });
  writeFileSync(join(ck, 'chk-3.ckpt'), Buffer.concat([Buffer.from('TRIBCKPT'), serialize({ operators: { f: { tmp: names.inCheckpoint, length: 8 }, g: { tmp: wide, length: 8 } } })]));
  const removed = await removeOrphans(join(dir, 'out.jsonl'), new Set([names.kept]), join(dir, '.tributary', 'checkpoints'));
  expect(removed).toEqual([names.orphan]);
  for (const [k, n] of Object.entries(names)) expect(existsSync(join(dir, n)), k).toBe(k !== 'orphan');
  expect(await removeOrphans(join(dir, 'ünï€.jsonl'), new Set(), join(dir, '.tributary', 'checkpoints'))).toEqual([]);
  expect(existsSync(join(dir, wide))).toBe(true);
});

it('without a checkpoint folder, removes a dead process\'s file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-orphans-'));
  const n = `.out.jsonl.${await deadPid()}.c1.tmp`;
  writeFileSync(join(dir, n), 'x');
  expect(await removeOrphans(join(dir, 'out.jsonl'), new Set(), join(dir, 'nowhere'))).toEqual([n]);
  expect(existsSync(join(dir, n))).toBe(false);
});
