// A classifier whose ZipMap lists its classes in an order of the test's choosing (logreg20.onnx
// rewritten), so both engines are checked against the order written in the model rather than a
// sorted one. Wire format per https://protobuf.dev/programming-guides/encoding/, field numbers from
// onnx/onnx.proto (ModelProto graph 7; GraphProto node 1, output 12; NodeProto output 2, op_type 4,
// attribute 5; AttributeProto name 1, ints 8, strings 9, type 20; ValueInfoProto name 1, type 2;
// TypeProto sequence_type 4, map_type 5; Sequence elem_type 1; Map key_type 1).
import { encodeVarint, fields as parse, text, type Field } from '../../runtime/nodes/infer/protobuf.js';

/** A field to write: its raw bytes are made from the value. */
type Part = Pick<Field, 'no' | 'wire' | 'value'>;

function encode(parts: readonly Part[]): Uint8Array {
  const out: number[] = [];
  for (const f of parts) {
    out.push(...encodeVarint(f.no * 8 + f.wire));
    if (typeof f.value === 'number') out.push(...encodeVarint(f.value));
    else out.push(...encodeVarint(f.value.length), ...f.value);
  }
  return Uint8Array.from(out);
}

const bytes = (s: string) => new TextEncoder().encode(s);

/** `buf` with the payload of each field `no` replaced by `f(payload)`. */
function edit(buf: Uint8Array, no: number, f: (payload: Uint8Array) => Uint8Array): Uint8Array {
  return encode(parse(buf).map((x) => (x.no === no && x.wire === 2 ? { ...x, value: f(x.value as Uint8Array) } : x)));
}

/** The model with its ZipMap's class labels replaced: strings, or int64s (non-negative). */
export function withZipMapLabels(model: Uint8Array, labels: readonly (string | number)[]): Uint8Array {
  const strings = typeof labels[0] === 'string';
  const attribute = encode([
    { no: 1, wire: 2, value: bytes(strings ? 'classlabels_strings' : 'classlabels_int64s') },
    ...labels.map((l) => (strings ? { no: 9, wire: 2, value: bytes(String(l)) } : { no: 8, wire: 0, value: Number(l) })),
    { no: 20, wire: 0, value: strings ? 8 : 7 },
  ]);
  let zipOutput = '';
  return edit(model, 7, (graph) => {
    const fields = parse(graph).map((f) => {
      if (f.no !== 1) return f;
      const node = parse(f.value as Uint8Array);
      if (text(node.find((x) => x.no === 4)?.value ?? 0) !== 'ZipMap') return f;
      zipOutput = text(node.find((x) => x.no === 2)!.value);
      return { ...f, value: encode([...node.filter((x) => x.no !== 5), { no: 5, wire: 2, value: attribute }]) };
    });
    return encode(fields.map((f) => {
      if (f.no !== 12 || text(parse(f.value as Uint8Array).find((x) => x.no === 1)!.value) !== zipOutput) return f;
      // seq(map(int64 → float)) becomes seq(map(string → float)) with string labels.
      const keyType = (map: Uint8Array) => encode(parse(map).map((x) => (x.no === 1 ? { ...x, value: strings ? 8 : 7 } : x)));
      return { ...f, value: edit(f.value as Uint8Array, 2, (t) => edit(t, 4, (s) => edit(s, 1, (e) => edit(e, 5, keyType)))) };
    }));
  });
}
