// Decoding JSON Lines off the operator thread gives exactly what the single-thread reader gives:
// the same chunks (so checkpoints count the same), records, line numbers and error messages.
import { afterEach, describe, expect, it } from 'vitest';
import { JsonlReader } from '../../runtime/connectors/decode/jsonl-reader.js';
import { DecodePool } from '../../runtime/connectors/decode/pool.js';
import { type Chunk, readJsonLines } from '../../runtime/connectors/files/readers.js';
import { file } from '../support/readers.js';

const pools: DecodePool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.close();
});

async function startPool(threads: number): Promise<DecodePool> {
  const pool = await DecodePool.start(threads);
  if (pool === null) throw new Error('decode workers did not start (is the build there?)');
  pools.push(pool);
  return pool;
}

async function reference(path: string): Promise<Chunk[]> {
  const out: Chunk[] = [];
  for await (const c of readJsonLines(path)) out.push(c);
  return out;
}

async function viaReader(path: string, pool: DecodePool | null): Promise<Chunk[]> {
  const r = new JsonlReader(path, undefined, pool);
  const out: Chunk[] = [];
  for (let c = await r.next(); c !== null; c = await r.next()) out.push(c.chunk);
  await r.close();
  return out;
}

/** Lines of every kind the reader meets: good, blank, CRLF, malformed, non-objects, too deep, Unicode blanks, multi-byte text. */
function hostileLines(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    switch (i % 97) {
      case 3: lines.push(''); break;
      case 7: lines.push('   \t'); break;
      case 11: lines.push('{"a":'); break;
      case 13: lines.push('[1,2]'); break;
      case 17: lines.push('"s"'); break;
      case 19: lines.push('null'); break;
      case 23: lines.push(`${'['.repeat(1001)}${']'.repeat(1001)}`); break;
      case 29: lines.push('\u00a0\u2028'); break;
      case 31: lines.push(`{"i":${i},"t":"naïve ☃ 𝄞"}\r`); break;
      default: lines.push(JSON.stringify({ i, pad: 'x'.repeat(i % 53), ts: 1_700_000_000_000 + i }));
    }
  }
  return lines.join('\n');
}

describe('off-thread JSON Lines decoding', () => {
  it('gives the reference chunks, records, line numbers and errors, on this thread and in 1 or 3 workers', async () => {
    for (const text of [hostileLines(30_000), `\uFEFF${hostileLines(9_000)}\n\n  \n`, hostileLines(4096 + 3) + '\n', '{"a":1}', '', '\n\n \n']) {
      const path = file(text);
      const want = await reference(path);
      expect(await viaReader(path, null)).toEqual(want);
      expect(await viaReader(path, await startPool(1))).toEqual(want);
      expect(await viaReader(path, await startPool(3))).toEqual(want);
    }
  });

  it('keeps a multi-byte character whole when a 1 MiB read ends inside it, and own __proto__ keys as JSON.parse made them', async () => {
    // Line 1 pads the file so that the 4-byte character of line 2 starts 2 bytes before 1 MiB.
    const head = `{"pad":"${'x'.repeat((1 << 20) - 19)}"}\n`;
    const text = `${head}{"t":"\u{1D11E}é"}\n{"__proto__":{"x":1},"k":-0}\n`;
    expect(Buffer.from(text).subarray((1 << 20) - 2, (1 << 20) + 2).toString()).toBe('\u{1D11E}');
    const path = file(text);
    const want = await reference(path);
    expect(want[0]!.recs[1]).toEqual({ t: '\u{1D11E}é' });
    for (const pool of [null, await startPool(1)]) {
      const got = await viaReader(path, pool);
      expect(got).toEqual(want);
      const proto = got[0]!.recs[2] as Record<string, unknown>;
      expect(Object.keys(proto)).toEqual(['__proto__', 'k']);
      expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
      expect(Object.is(proto.k, -0)).toBe(true);
    }
  });

  it('cuts chunks at exactly 4096 non-blank lines, blank lines not counted', async () => {
    const chunks = await viaReader(file(hostileLines(20_000)), await startPool(2));
    expect(chunks.slice(0, -1).every((c) => c.recs.length + c.errors.length === 4096)).toBe(true);
    expect(chunks.at(-1)!.errors.some((e) => e.message.startsWith('nested more than 1000 levels'))).toBe(true);
  });

  it('resumes from a recorded position with the chunks that followed it', async () => {
    const path = file(hostileLines(25_000));
    const want = await reference(path);
    const r = new JsonlReader(path, undefined, await startPool(2));
    await r.next();
    const second = await r.next();
    await r.close();
    const resumed = new JsonlReader(path, second!.end, await startPool(2));
    const rest: Chunk[] = [];
    for (let c = await resumed.next(); c !== null; c = await resumed.next()) rest.push(c.chunk);
    expect(rest).toEqual(want.slice(2));
    const skipping = new JsonlReader(path, undefined, null);
    expect(await skipping.skip(2)).toEqual(second!.end);
    expect((await skipping.next())!.chunk).toEqual(want[2]);
    await skipping.close();
  });

  it('fails every request in flight with a clear error when a worker dies, instead of hanging', async () => {
    const pool = await startPool(1);
    const path = file(hostileLines(50_000));
    const r = new JsonlReader(path, undefined, pool);
    await r.next();
    await pool.crashOneForTest();
    // Segments the worker answered before it died may still be taken; reading on must then fail.
    const drain = async () => {
      while ((await r.next()) !== null);
    };
    await expect(drain()).rejects.toThrow(/decode worker stopped unexpectedly/);
    await expect(pool.decode(new Uint8Array(2), 1)).rejects.toThrow(/decode worker stopped unexpectedly/);
    await r.close();
  });
});
