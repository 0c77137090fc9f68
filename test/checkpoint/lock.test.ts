// One run per checkpoint folder: a lock left by a run killed with SIGKILL (its process gone) is
// taken over; a lock held by a live process makes the second run go on without checkpoints, saying
// so, and leaves the holder's lock alone.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { scratch, writePipeline } from './pipeline.js';

function pipeline(): Parameters<typeof writePipeline>[1] {
  return {
    nodes: [
      { id: 'clicks', type: 'source.generator', params: { rate: 0, count: 5000, seed: 5 } },
      { id: 'out', type: 'sink.file', params: { path: 'out/clicks.jsonl' } },
    ],
    edges: [{ from: 'clicks', to: 'out' }],
  };
}

/** A pid that no process has any more. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('checkpoint folder lock', () => {
  it('takes over a stale lock from a killed run', { timeout: 60_000 }, async () => {
    const dir = scratch();
    const p = writePipeline(dir, pipeline());
    const folder = join(dir, '.tributary', 'checkpoints', 'kill');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'run.lock'), String(deadPid()));
    const r = await runCli(['run', p, '--trust', '-q'], { timeout: 50_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('checkpoints off');
    expect(existsSync(join(folder, 'run.lock'))).toBe(false);
    expect(readFileSync(join(dir, 'out', 'clicks.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5000);
  });

  it('a second run while another holds the folder runs without checkpoints and keeps its lock', { timeout: 60_000 }, async () => {
    const dir = scratch();
    const p = writePipeline(dir, pipeline());
    const folder = join(dir, '.tributary', 'checkpoints', 'kill');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'run.lock'), String(process.pid)); // this test process: alive
    const r = await runCli(['run', p, '--trust', '-q'], { timeout: 50_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`checkpoints off for this run: another run (process ${process.pid}) is using ${folder}`);
    expect(readFileSync(join(folder, 'run.lock'), 'utf8')).toBe(String(process.pid));
    expect(readFileSync(join(dir, 'out', 'clicks.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5000);
  });
});

describe('in-progress files of killed runs', () => {
  it('a run that publishes removes abandoned in-progress files of its target, not those of live runs', { timeout: 60_000 }, async () => {
    const dir = scratch();
    const p = writePipeline(dir, pipeline());
    mkdirSync(join(dir, 'out'), { recursive: true });
    // Left by a run killed before its first checkpoint: no checkpoint can resume it.
    const abandoned = join(dir, 'out', `.clicks.jsonl.${deadPid()}.m0abc.tmp`);
    const live = join(dir, 'out', `.clicks.jsonl.${process.pid}.m0abd.tmp`);
    const other = join(dir, 'out', `.other.jsonl.${deadPid()}.m0abe.tmp`);
    for (const f of [abandoned, live, other]) writeFileSync(f, '{"partial":');
    const r = await runCli(['run', p, '--trust', '-q'], { timeout: 50_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(abandoned)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(other)).toBe(true);
  });
});
