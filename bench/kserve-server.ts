// A local Open Inference Protocol (kserve-v2) server for the infer benchmark, in its own process
// so its work does not count against the pipeline's core: it computes a 20-feature logistic
// regression for every row it is sent. It speaks JSON tensors and the binary tensor data
// extension (Inference-Header-Content-Length; FP32/FP64 inputs, binary FP32 output when asked
// with `binary_data_output`). Prints its URL on stdout once listening.
import { createServer } from 'node:http';

const W = Array.from({ length: 20 }, (_, j) => Math.sin(j + 1) / 2);

interface Input {
  shape: [number, number];
  datatype: string;
  data?: number[];
  parameters?: { binary_data_size?: number };
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const hl = req.headers['inference-header-content-length'];
    const split = hl === undefined ? body.length : Number(hl);
    const head = JSON.parse(body.toString('utf8', 0, split)) as { inputs: Input[]; parameters?: { binary_data_output?: boolean } };
    const input = head.inputs[0]!;
    const [rows, w] = input.shape;
    let data: ArrayLike<number>;
    if (input.parameters?.binary_data_size !== undefined) {
      const raw = new Uint8Array(body.subarray(split, split + input.parameters.binary_data_size)).buffer;
      data = input.datatype === 'FP64' ? new Float64Array(raw) : new Float32Array(raw);
    } else data = input.data!;
    const out = new Float32Array(rows);
    for (let i = 0; i < rows; i++) {
      let z = 0.1;
      for (let j = 0; j < w; j++) z += W[j]! * data[i * w + j]!;
      out[i] = 1 / (1 + Math.exp(-z));
    }
    if (head.parameters?.binary_data_output) {
      const json = Buffer.from(JSON.stringify({ model_name: 'bench', model_version: '1', outputs: [{ name: 'probability', shape: [rows], datatype: 'FP32', parameters: { binary_data_size: out.byteLength } }] }));
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'inference-header-content-length': json.byteLength });
      res.end(Buffer.concat([json, new Uint8Array(out.buffer)]));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ model_name: 'bench', model_version: '1', outputs: [{ name: 'probability', shape: [rows], datatype: 'FP32', data: Array.from(out) }] }));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as { port: number }).port}\n`);
});
