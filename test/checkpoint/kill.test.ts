// A guarantee is a test that kills the process: checkpoints restore windows, CEP partial matches,
// process state and timers, the generator's position and the file sinks' in-progress output, so
// a run killed with SIGKILL any number of times and restarted ends with exactly the output of an
// uninterrupted run — nothing lost, nothing repeated.
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { killAndRestart, killWhen, rng } from './kill-support.js';
import { killPipeline, outputs, scratch, writePipeline } from './pipeline.js';

// Long enough that a run is still going after its first checkpoint plus the kill delay on a fast,
// idle machine (150k ended first there), short enough for a loaded one.
const COUNT = 600_000;
/** `npm run test:long` raises this (CHECKPOINT_KILLS=25). */
const KILLS = Number(process.env.CHECKPOINT_KILLS ?? 4);
const SEED = Number(process.env.CHECKPOINT_SEED ?? Date.now() % 100_000);
const INTERVAL = ['--checkpoint-interval', '200ms'];

let reference: Record<string, string> | null = null;

async function referenceOutput(): Promise<Record<string, string>> {
  if (reference) return reference;
  const dir = scratch();
  const p = writePipeline(dir, killPipeline(COUNT));
  const r = await runCli(['run', p, '--trust', '-q', '--checkpoint-interval', '0'], { timeout: 90_000 });
  expect(r.code, r.stderr).toBe(0);
  reference = outputs(dir);
  return reference;
}

const ckptDir = (dir: string) => join(dir, '.tributary', 'checkpoints', 'kill');
const ckptFiles = (dir: string) => (existsSync(ckptDir(dir)) ? readdirSync(ckptDir(dir)).filter((n) => n.endsWith('.ckpt')) : []);

describe('checkpoints: kill -9 and restart', () => {
  it(`ends with exactly the uninterrupted output after ${KILLS} kills (seed ${SEED})`, { timeout: 60_000 + KILLS * 25_000 }, async () => {
    const ref = await referenceOutput();
    expect(ref.windows.length).toBeGreaterThan(0);
    expect(ref.alerts.length).toBeGreaterThan(0);
    expect(ref.quiet.length).toBeGreaterThan(0);
    const dir = scratch();
    const p = writePipeline(dir, killPipeline(COUNT));
    const run = await killAndRestart(['run', p, '--trust', ...INTERVAL], ckptDir(dir), KILLS, rng(SEED));
    expect(run.final.code, run.final.stderr).toBe(0);
    expect(run.kills).toBeGreaterThanOrEqual(Math.min(KILLS, 2));
    // Every run after a kill said where it resumed.
    for (const [i, log] of run.logs.entries()) if (i > 0 && run.resumable[i]) expect(log).toMatch(/resuming from .*\.ckpt/);
    expect(outputs(dir)).toEqual(ref);
    // A finished run leaves nothing to resume, and no in-progress file behind.
    expect(ckptFiles(dir)).toEqual([]);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['alerts.jsonl', 'quiet.jsonl', 'windows.jsonl']);
  });

  it('refuses a truncated checkpoint with the reason and resumes from the previous one', { timeout: 120_000 }, async () => {
    const ref = await referenceOutput();
    const dir = scratch();
    const p = writePipeline(dir, killPipeline(COUNT));
    // Kill once there are at least two checkpoints.
    const killed = await killWhen(['run', p, '--trust', ...INTERVAL], ckptDir(dir), (files) => files.length >= 2);
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const files = ckptFiles(dir).sort();
    const newest = join(ckptDir(dir), files.at(-1)!);
    truncateSync(newest, Math.floor(statSync(newest).size / 2));
    const r = await runCli(['run', p, '--trust', ...INTERVAL], { timeout: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${newest} is not a usable checkpoint: truncated`);
    expect(r.stderr).toMatch(/using an older one\nresuming from .*chk-\d+\.ckpt/);
    expect(outputs(dir)).toEqual(ref);
  });

  it('--from a damaged file fails with the reason; --fresh ignores checkpoints', { timeout: 120_000 }, async () => {
    const dir = scratch();
    const p = writePipeline(dir, killPipeline(50_000));
    const bad = join(dir, 'bad.ckpt');
    writeFileSync(bad, 'TRIBCKPTgarbage');
    const r = await runCli(['run', p, '--trust', '-q', '--from', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot resume: ${bad} is not a usable checkpoint`);
    const fresh = await runCli(['run', p, '--trust', '--fresh']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stderr).not.toContain('resuming');
  });
});

describe('savepoints', () => {
  it('an interrupt takes a savepoint instead of dropping open windows; the next run continues exactly', { timeout: 120_000 }, async () => {
    const ref = await referenceOutput();
    const dir = scratch();
    const p = writePipeline(dir, killPipeline(COUNT));
    // Interrupt once the first checkpoint shows the run is well under way.
    let seen = false;
    const first = await runCli(['run', p, '--trust', ...INTERVAL], {
      timeout: 90_000,
      interruptWhen: new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          try {
            if (readdirSync(ckptDir(dir)).some((n) => n.startsWith('chk-'))) {
              seen = true;
              clearInterval(poll);
              resolve();
            }
          } catch {
            /* not there yet */
          }
        }, 20);
      }),
    });
    expect(first.code, first.stderr).toBe(0);
    if (!seen) return; // the run finished before the first checkpoint: nothing to interrupt (a very fast machine)
    expect(first.stderr).toMatch(/savepoint: .*savepoint-\d+\.ckpt/);
    expect(first.stderr).toContain('kill: stopped');
    // What the stopped run published is a prefix of the full output, cut at the savepoint.
    const partial = outputs(dir);
    for (const k of Object.keys(ref)) expect(ref[k]!.startsWith(partial[k]!)).toBe(true);
    expect(partial.windows.length).toBeLessThan(ref.windows!.length);
    const second = await runCli(['run', p, '--trust', ...INTERVAL], { timeout: 90_000 });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/resuming from .*savepoint-\d+\.ckpt/);
    expect(outputs(dir)).toEqual(ref);
  });
});

describe('restore after an edit (state matched by node id)', () => {
  it('a node added starts empty; a node removed is refused, naming it, unless --allow-non-restored-state', { timeout: 120_000 }, async () => {
    const dir = scratch();
    const doc = killPipeline(COUNT);
    const p = writePipeline(dir, doc);
    const killed = await killWhen(['run', p, '--trust', ...INTERVAL], ckptDir(dir), (files) => files.length >= 1);
    expect(killed.signal, killed.stderr).toBe('SIGKILL');

    // Removed: the CEP node and its sink. Its partial matches have nowhere to go.
    const removed = {
      nodes: doc.nodes.filter((n) => n.id !== 'abandoned' && n.id !== 'cepOut'),
      edges: doc.edges.filter((e) => e.to !== 'abandoned' && e.from !== 'abandoned'),
    };
    writePipeline(dir, removed);
    const refused = await runCli(['run', p, '--trust', '-q', ...INTERVAL]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cannot resume: the checkpoint holds state for 'abandoned', 'cepOut', which this pipeline no longer has/);
    expect(refused.stderr).toContain('--allow-non-restored-state');

    // Added: a filter and a sink after the window; the rest resumes.
    const added = {
      nodes: [...removed.nodes, { id: 'busy', type: 'filter', params: { condition: 'n > 20' } }, { id: 'busyOut', type: 'sink.file', params: { path: 'out/busy.jsonl' } }],
      edges: [...removed.edges, { from: 'win', to: 'busy' }, { from: 'busy', to: 'busyOut' }],
    };
    writePipeline(dir, added);
    const ok = await runCli(['run', p, '--trust', ...INTERVAL, '--allow-non-restored-state'], { timeout: 90_000 });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain("state of 'abandoned', 'cepOut' not restored (no such node now)");
    expect(ok.stderr).toMatch(/resuming from /);
    const ref = await referenceOutput();
    const out = outputs(dir, ['windows', 'quiet']);
    expect(out.windows).toBe(ref.windows);
    expect(out.quiet).toBe(ref.quiet);
    // The new sink saw only windows fired after the restore: a suffix of what a fresh run would give.
    const busy = readFileSync(join(dir, 'out', 'busy.jsonl'), 'utf8').trim().split('\n');
    const all = ref.windows!.trim().split('\n').filter((l) => (JSON.parse(l) as { n: number }).n > 20);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy.length).toBeLessThan(all.length);
    expect(all.slice(all.length - busy.length)).toEqual(busy);
  });
});
