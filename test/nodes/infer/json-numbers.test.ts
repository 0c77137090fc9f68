// The kserve-v2 JSON tensor writer: every number it prints is valid JSON and gives back exactly
// the value the server must hold (the double for FP64, the float32 for FP32), over values read
// from text, computed doubles, integers, tiny and huge magnitudes, and float32 edge cases.
import { describe, expect, it } from 'vitest';
import { ByteWriter, writeJsonArray } from '../../../runtime/nodes/infer/json-numbers.js';
import { type HttpModelParams, ProtocolCodec } from '../../../runtime/nodes/infer/protocols.js';

function printed(data: number[], datatype: 'FP32' | 'FP64' | 'INT64'): number[] {
  const w = new ByteWriter(16);
  writeJsonArray(w, data, datatype);
  w.byte(32); // a byte after the array must land in the buffer too (it may be exactly full)
  return JSON.parse(w.bytes().toString('latin1')) as number[];
}

function values(): number[] {
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const out: number[] = [0, -0, 1, -1, 0.1, 0.2 + 0.1, 12.5, -3.75, 1e-7, 1.5e-7, 123456.789, 1e15, 1e15 + 0.5, 2 ** 53 - 1, 2 ** 53, 1e21, 1e22, 1e-300, 5e-324, Number.MAX_VALUE, -Number.MIN_VALUE, 3.4028234663852886e38, 1.401298464324817e-45, 16777217, 4194304.5, 9999999.5, 0.999999999, 99999.99999];
  for (let i = 0; i < 4000; i++) {
    const scale = 10 ** Math.floor(rnd() * 40 - 20);
    out.push((rnd() - 0.5) * scale); // full 53-bit doubles
    out.push(Number(((rnd() - 0.5) * scale).toPrecision(1 + Math.floor(rnd() * 15)))); // read from text
    out.push(Math.round((rnd() - 0.5) * 1e6)); // counts
    out.push(Math.fround((rnd() - 0.5) * scale)); // float32 values
    // A random bit pattern: any finite double.
    const b = new DataView(new ArrayBuffer(8));
    b.setUint32(0, Math.floor(rnd() * 2 ** 32));
    b.setUint32(4, Math.floor(rnd() * 2 ** 32));
    const d = b.getFloat64(0);
    if (Number.isFinite(d)) out.push(d);
  }
  return out;
}

describe('kserve-v2 JSON numbers', () => {
  const data = values();

  it('FP64: every double comes back exactly', () => {
    const back = printed(data, 'FP64');
    expect(back.length).toBe(data.length);
    for (let i = 0; i < data.length; i++) if (!Object.is(back[i], data[i]) && !(back[i] === 0 && data[i] === 0)) expect(back[i], `value ${i}`).toBe(data[i]);
  });

  it('FP32: every value comes back as its float32, also through a double', () => {
    const back = printed(data, 'FP32');
    for (let i = 0; i < data.length; i++) {
      const want = Math.fround(data[i]!);
      if (!Number.isFinite(want)) continue; // beyond float32's range: the server's business
      expect(Math.fround(back[i]!) + 0, `value ${i} (${data[i]})`).toBe(want + 0); // -0 and 0 alike
    }
  });

  it('FP32 prints at most 9 significant digits', () => {
    const w = new ByteWriter();
    writeJsonArray(w, [0.1, 1 / 3, 12.5, 1e-10, 3], 'FP32');
    expect(w.bytes().toString('latin1')).toBe('[0.100000001,0.333333343,12.5,1.00000001e-10,3]');
  });

  it("FP64 prints numbers read from text as they were written (V8's shortest form)", () => {
    const w = new ByteWriter();
    writeJsonArray(w, [0.1, 12.5, -3.75, 1e-7, 0.000123, 42, -7, 123456.789], 'FP64');
    expect(w.bytes().toString('latin1')).toBe('[0.1,12.5,-3.75,1e-7,0.000123,42,-7,123456.789]');
  });

  it('integers as digits', () => {
    expect(printed([0, 7, -12, 2 ** 53 - 1, 1234567890123], 'INT64')).toEqual([0, 7, -12, 2 ** 53 - 1, 1234567890123]);
  });

  it('values a datatype cannot hold are refused per record, naming the feature; the limits themselves are sent', () => {
    const F32_MAX = 3.4028234663852886e38;
    const HALF_STEP_PAST = 3.4028235677973366e38; // rounds to infinity as a float32
    expect([Math.fround(F32_MAX), Math.fround(HALF_STEP_PAST)]).toEqual([F32_MAX, Infinity]);
    const cases: [HttpModelParams['datatype'], number[], number[]][] = [
      // datatype, values of x, indexes refused
      ['FP32', [1, F32_MAX, -F32_MAX, HALF_STEP_PAST, -1e39, 2], [3, 4]],
      ['INT32', [2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 31 - 0.5, 7], [2, 3]],
      ['INT64', [2 ** 62, -(2 ** 63), 2 ** 63, -1e19, 1e21, 7], [2, 3, 4]],
      ['FP64', [1e300, -1e300, Number.MAX_VALUE, 5e-324, 0, 1], []],
    ];
    for (const [datatype, xs, refused] of cases) {
      for (const binary of [false, true]) {
        const codec = new ProtocolCodec({ protocol: 'kserve-v2', name: 'm', datatype, binary, layout: 'rows', mode: 'chat', batched: true }, { features: ['x'] });
        const enc = codec.encode(xs.map((x) => ({ x })));
        expect([...enc.bad.keys()], `${datatype} binary ${binary}`).toEqual(refused);
        for (const i of refused) expect(enc.bad.get(i)).toBe(`feature "x" is ${xs[i]}, beyond what a ${datatype} tensor holds`);
        expect(enc.rows).toEqual(xs.map((_, i) => i).filter((i) => !refused.includes(i)));
        if (!binary) {
          const sent = (JSON.parse(Buffer.from(enc.body as Uint8Array).toString('utf8')) as { inputs: { data: number[] }[] }).inputs[0]!.data;
          const want = enc.rows.map((i) => (datatype === 'FP32' ? Math.fround(xs[i]!) : datatype === 'FP64' ? xs[i]! : Math.trunc(xs[i]!)));
          expect(sent, datatype).toEqual(want);
        }
      }
    }
  });
});
