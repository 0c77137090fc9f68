// The protobuf wire format, as much as reading and rewriting an ONNX model needs (onnx-proto.ts):
// a message split into its fields (raw bytes and payload), varints, and length-delimited fields written.
// Per https://protobuf.dev/programming-guides/encoding/.

export interface Field {
  readonly no: number;
  readonly wire: number;
  /** The raw bytes of the field, tag included. */
  readonly raw: Uint8Array;
  /** Varint value (wire 0) or the payload (wire 2). */
  readonly value: number | Uint8Array;
}

export function varint(buf: Uint8Array, pos: number): [number, number] {
  let v = 0;
  let mul = 1;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++]!;
    v += (b & 0x7f) * mul;
    if (b < 0x80) return [v, pos];
    mul *= 128;
  }
}

export function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const [tag, p1] = varint(buf, pos);
    pos = p1;
    const no = Math.floor(tag / 8);
    const wire = tag & 7;
    let value: number | Uint8Array;
    if (wire === 0) [value, pos] = varint(buf, pos);
    else if (wire === 1) { value = 0; pos += 8; }
    else if (wire === 5) { value = 0; pos += 4; }
    else if (wire === 2) {
      const [len, p2] = varint(buf, pos);
      value = buf.subarray(p2, p2 + len);
      pos = p2 + len;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    if (pos > buf.length) throw new Error('truncated field');
    out.push({ no, wire, raw: buf.subarray(start, pos), value });
  }
  return out;
}

export const text = (v: number | Uint8Array) => (typeof v === 'number' ? '' : new TextDecoder().decode(v));

export function encodeVarint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

export function lengthDelimited(no: number, payload: Uint8Array): Uint8Array {
  const head = [...encodeVarint(no * 8 + 2), ...encodeVarint(payload.length)];
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
