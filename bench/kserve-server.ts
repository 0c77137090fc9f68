// A local Open Inference Protocol (kserve-v2) server for the infer benchmark, in its own process
// so its work does not count against the pipeline's core: it computes a 20-feature logistic
// regression for every row it is sent. Prints its URL on stdout once listening.
import { createServer } from 'node:http';

const W = Array.from({ length: 20 }, (_, j) => Math.sin(j + 1) / 2);

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { inputs: { shape: [number, number]; data: number[] }[] };
    const { shape, data } = body.inputs[0]!;
    const [rows, w] = shape;
    const out = new Array<number>(rows);
    for (let i = 0; i < rows; i++) {
      let z = 0.1;
      for (let j = 0; j < w; j++) z += W[j]! * data[i * w + j]!;
      out[i] = 1 / (1 + Math.exp(-z));
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ model_name: 'bench', model_version: '1', outputs: [{ name: 'probability', shape: [rows], datatype: 'FP32', data: out }] }));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as { port: number }).port}\n`);
});
