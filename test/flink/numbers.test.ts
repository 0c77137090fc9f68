// Numbers as the Flink job prints them (JsNumber.toString, used by every sink) against
// JavaScript's String(n): integers, prices, random bit patterns (subnormals included) and the
// edges of the plain/exponential layouts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { flinkTestClasses } from '../../runtime/cli/flink-build.js';
import { rng } from '../support/cep.js';

const COUNT = Number(process.env.FLINK_NUMBER_CASES ?? 20_000);

function numbers(): number[] {
  const r = rng(11);
  const bits = new DataView(new ArrayBuffer(8));
  const out = [0.1, 0.2 + 0.1, 1e21, 1e21 - 65536, 123e-7, 1e-7, 1.5e-6, 2 ** 53, 2 ** 53 + 2, -(2 ** 53 - 1), 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 2e23, 2.82879384806159e17, 9.007199254740993e15, 1 / 3, -263.95];
  // Every power of two (and its float32 neighbours' kind of value): the interval that reads back
  // is lopsided there, where a shortest-digits search that looks only at the nearest decimal fails.
  for (let k = -1074; k <= 1023; k++) out.push(2 ** k, Math.fround(2 ** k) || 2 ** k);
  for (let i = 0; i < COUNT; i++) {
    const kind = i % 5;
    if (kind === 0) out.push(Math.round(r() * 100_000) / 100);
    else if (kind === 1) out.push(Math.floor((r() - 0.5) * 2 ** Math.floor(r() * 80)));
    else if (kind === 2) out.push((r() - 0.5) * 10 ** Math.floor(r() * 60 - 30));
    else {
      bits.setUint32(0, Math.floor(r() * 2 ** 32));
      bits.setUint32(4, Math.floor(r() * 2 ** 32));
      const v = bits.getFloat64(0);
      if (Number.isFinite(v)) out.push(v);
    }
  }
  return out;
}

describe('numbers printed by the Flink job', () => {
  let cp = '';
  beforeAll(() => {
    cp = flinkTestClasses();
  }, 900_000);

  it('are JavaScript\'s String(n), digit for digit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-numbers-'));
    const xs = numbers();
    const bits = new DataView(new ArrayBuffer(8));
    const hex = xs.map((x) => {
      bits.setFloat64(0, x);
      return bits.getBigUint64(0).toString(16);
    });
    writeFileSync(join(dir, 'in.txt'), hex.join('\n') + '\n');
    const r = spawnSync('java', ['-cp', cp, 'dev.tributary.flink.NumberStrings', join(dir, 'in.txt'), join(dir, 'out.txt')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const got = readFileSync(join(dir, 'out.txt'), 'utf8').split('\n').slice(0, -1);
    const mismatches = xs.map((x, i) => [hex[i], String(x), got[i]]).filter(([, want, g]) => want !== g);
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(got).toHaveLength(xs.length);
  }, 120_000);
});
