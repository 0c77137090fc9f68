// source.file with its JSON Lines decoded in worker threads: the same output as decoding on the
// operator thread (records, timestamps, watermarks, errors with their lines), checkpoints that
// resume exactly mid-file, and a dead worker surfacing as the run's error.
import { deserialize, serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { FileSource } from '../../runtime/nodes/source-file/operator.js';
import { OperatorHarness, type Out } from '../support/harness.js';
import { file } from '../support/readers.js';

function lines(n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 101 === 5) out.push('{"broken":');
    else if (i % 211 === 9) out.push('');
    else if (i % 307 === 11) out.push(JSON.stringify({ i, ts: 'not a time' }));
    else out.push(JSON.stringify({ i, user: `u${i % 37}`, ts: 1_700_000_000_000 + i * 10 - (i % 7) * 50 }));
  }
  return out.join('\n') + '\n';
}

function source(path: string, decodeThreads: number): OperatorHarness {
  return new OperatorHarness('source.file', { path, decodeThreads, eventTime: { field: 'ts', maxOutOfOrderness: '1s' } }, { inputs: 0 });
}

const op = (h: OperatorHarness) => h.op as unknown as FileSource;

/** Pulls `max` chunks (all when absent); errors keep their processing-time stamp out of the comparison. */
async function pullAll(h: OperatorHarness, max = Infinity): Promise<void> {
  for (let i = 0; i < max && (await op(h).pull()); i++);
}

const errs = (h: OperatorHarness) => h.output('errors').map((o: Out) => ({ value: o.value, wm: o.wm }));

describe('source.file decoding in worker threads', () => {
  it('emits what the single-thread decoder emits, watermarks and errors included', async () => {
    const path = file(lines(30_000));
    const runs: OperatorHarness[] = [];
    for (const threads of [0, 1, 3]) {
      const h = source(path, threads);
      await op(h).open();
      expect(op(h).decodeThreads).toBe(threads);
      await pullAll(h);
      await op(h).close();
      runs.push(h);
    }
    const [single, ...others] = runs;
    expect(single!.output().length).toBeGreaterThan(29_000);
    expect(errs(single!).length).toBeGreaterThan(300);
    for (const h of others) {
      expect(h.output()).toEqual(single!.output());
      expect(h.watermarksOut()).toEqual(single!.watermarksOut());
      expect(errs(h)).toEqual(errs(single!));
    }
  });

  it('resumes mid-file from a checkpoint with exactly the rest, whether it has the byte offset or only the chunk count', async () => {
    const path = file(lines(40_000));
    const whole = source(path, 0);
    await op(whole).open();
    await pullAll(whole);
    await op(whole).close();

    const first = source(path, 2);
    await op(first).open();
    await pullAll(first, 3);
    const snap = deserialize(serialize(op(first).snapshotCheckpoint())) as { chunks: number; offset?: number; line?: number };
    await op(first).close();
    expect(snap.chunks).toBe(3);
    expect(snap.offset).toBeGreaterThan(0);

    for (const [threads, s] of [[2, snap], [0, { ...snap, offset: undefined, line: undefined }]] as const) {
      const rest = source(path, threads);
      op(rest).restoreCheckpoint(s);
      await op(rest).open();
      await pullAll(rest);
      await op(rest).close();
      expect([...first.output(), ...rest.output()]).toEqual(whole.output());
      expect([...errs(first), ...errs(rest)]).toEqual(errs(whole));
    }
  });

  it('a checkpoint taken right after restoring an old chunk-count checkpoint holds the position past those chunks', async () => {
    const path = file(lines(40_000));
    const whole = source(path, 0);
    await op(whole).open();
    await pullAll(whole);
    await op(whole).close();

    const first = source(path, 0);
    await op(first).open();
    await pullAll(first, 3);
    await op(first).close();

    // Restored from a checkpoint of the older format (chunks only), then checkpointed before its first pull.
    const restored = source(path, 1);
    op(restored).restoreCheckpoint({ chunks: 3, wm: null });
    await op(restored).open();
    const again = deserialize(serialize(op(restored).snapshotCheckpoint())) as { chunks: number; offset: number; line: number };
    await op(restored).close();
    expect(again.chunks).toBe(3);
    expect(again.offset).toBeGreaterThan(0);

    const rest = source(path, 1);
    op(rest).restoreCheckpoint(again);
    await op(rest).open();
    await pullAll(rest);
    await op(rest).close();
    expect([...first.output(), ...rest.output()].map((o) => o.value)).toEqual(whole.output().map((o) => o.value));
  });

  it('fails the run with a clear error when a decode worker dies, rather than hanging', async () => {
    const h = source(file(lines(60_000)), 1);
    await op(h).open();
    await op(h).pull();
    await (op(h) as unknown as { pool: { crashOneForTest(): Promise<number> } }).pool.crashOneForTest();
    const err = await pullAll(h).then(() => null, (e: unknown) => e as { nodeId: string; message: string });
    expect(err?.nodeId).toBe('source.file');
    expect(err?.message).toMatch(/reading .* failed: a decode worker stopped unexpectedly \(exit code \d+\)/);
    await op(h).close();
  });
});
