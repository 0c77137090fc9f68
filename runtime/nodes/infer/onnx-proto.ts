// Just enough of the ONNX protobuf to (1) read a model's producer, version and ZipMap outputs and
// (2) turn each ZipMap into an Identity over its probability tensor. onnxruntime-node cannot
// return non-tensor values (a ZipMap's sequence of maps fails with "Non tensor type is temporarily
// not supported"), so the node fetches the tensor and builds the maps itself, keyed by the ZipMap's
// class labels. Wire format per https://protobuf.dev/programming-guides/encoding/, field numbers
// from onnx/onnx.proto (ModelProto, GraphProto, NodeProto, ValueInfoProto, TypeProto).
import { concat, fields, lengthDelimited, text, varint, type Field } from './protobuf.js';

export interface ZipMapOutput {
  /** The graph output the ZipMap produced. */
  readonly output: string;
  /** Class labels, in the probability tensor's column order. */
  readonly labels: readonly (string | number)[];
}

export interface OnnxModelInfo {
  readonly producer: string;
  readonly producerVersion: string;
  readonly domain: string;
  readonly modelVersion: number;
  readonly doc: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly zipMaps: readonly ZipMapOutput[];
}

function zipMapLabels(node: Field[]): (string | number)[] {
  const labels: (string | number)[] = [];
  for (const a of node.filter((f) => f.no === 5)) {
    const af = fields(a.value as Uint8Array);
    const name = text(af.find((f) => f.no === 1)?.value ?? 0);
    if (name === 'classlabels_int64s') {
      for (const f of af.filter((x) => x.no === 8)) {
        if (f.wire === 0) labels.push(f.value as number);
        else {
          // packed
          const b = f.value as Uint8Array;
          for (let p = 0; p < b.length;) {
            const [v, q] = varint(b, p);
            labels.push(v);
            p = q;
          }
        }
      }
    } else if (name === 'classlabels_strings') {
      for (const f of af.filter((x) => x.no === 9)) labels.push(text(f.value));
    }
  }
  return labels;
}

/** Reads the model's header and rewrites its ZipMaps into Identity nodes over a float tensor. */
export function prepareOnnx(bytes: Uint8Array): { bytes: Uint8Array; info: OnnxModelInfo } {
  const model = fields(bytes);
  const get = (no: number) => model.find((f) => f.no === no)?.value ?? 0;
  const metadata: Record<string, string> = {};
  for (const f of model.filter((x) => x.no === 14)) {
    const kv = fields(f.value as Uint8Array);
    metadata[text(kv.find((x) => x.no === 1)?.value ?? 0)] = text(kv.find((x) => x.no === 2)?.value ?? 0);
  }
  const graphField = model.find((f) => f.no === 7);
  const zipMaps: ZipMapOutput[] = [];
  let out = bytes;
  if (graphField) {
    const graph = fields(graphField.value as Uint8Array);
    const outputs = new Set(graph.filter((f) => f.no === 12).map((f) => text(fields(f.value as Uint8Array).find((x) => x.no === 1)?.value ?? 0)));
    const nodeOf = (f: Field) => fields(f.value as Uint8Array);
    const opOf = (node: Field[]) => text(node.find((x) => x.no === 4)?.value ?? 0);
    const outputOf = (node: Field[]) => text(node.find((x) => x.no === 2)?.value ?? 0);
    for (const f of graph.filter((x) => x.no === 1)) {
      const node = nodeOf(f);
      if (opOf(node) === 'ZipMap' && outputs.has(outputOf(node))) zipMaps.push({ output: outputOf(node), labels: zipMapLabels(node) });
    }
    if (zipMaps.length > 0) {
      const rewritten = new Set(zipMaps.map((z) => z.output));
      // TypeProto { tensor_type (1): { elem_type (1): FLOAT = 1 } }
      const floatTensor = lengthDelimited(2, lengthDelimited(1, new Uint8Array([0x08, 0x01])));
      const parts = graph.map((f) => {
        if (f.no === 1) {
          const node = nodeOf(f);
          if (opOf(node) !== 'ZipMap' || !rewritten.has(outputOf(node))) return f.raw;
          // Keep inputs, outputs and name; the op becomes Identity (default domain, no attributes).
          const keep = node.filter((x) => x.no === 1 || x.no === 2 || x.no === 3).map((x) => x.raw);
          return lengthDelimited(1, concat([...keep, lengthDelimited(4, new TextEncoder().encode('Identity'))]));
        }
        if (f.no === 12) {
          const name = nodeOf(f).find((x) => x.no === 1);
          if (name && rewritten.has(text(name.value))) return lengthDelimited(12, concat([name.raw, floatTensor]));
        }
        return f.raw;
      });
      out = concat(model.map((f) => (f === graphField ? lengthDelimited(7, concat(parts)) : f.raw)));
    }
  }
  return {
    bytes: out,
    info: {
      producer: text(get(2)),
      producerVersion: text(get(3)),
      domain: text(get(4)),
      modelVersion: Number(get(5)),
      doc: text(get(6)),
      metadata,
      zipMaps,
    },
  };
}
