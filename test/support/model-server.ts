// A real model server on 127.0.0.1 for the infer node's tests: speaks kserve-v2, tf-serving,
// mlflow, openai (chat + embeddings) and a plain JSON API with the request and response shapes
// those protocols document, and computes the fixture logistic regression for every row (so a
// wrong row order or a mixed-up feature shows). Knobs: delay, failures to answer with 503, death.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { EXPECTED } from './infer.js';

export function logistic(row: readonly number[]): number {
  let z = EXPECTED.logreg20.intercept;
  row.forEach((x, j) => (z += EXPECTED.logreg20.coef[j]! * x));
  return 1 / (1 + Math.exp(-z));
}

/** A toy embedding of a text: letter frequencies a..h, so similar texts embed alike. */
export function embed(text: string): number[] {
  const v = new Array(8).fill(0);
  for (const ch of text.toLowerCase()) {
    const i = ch.charCodeAt(0) - 97;
    if (i >= 0 && i < 8) v[i]++;
  }
  return v;
}

interface KserveAnswer {
  outputs: { name: string; shape: number[]; datatype: string; data?: unknown[]; parameters?: unknown }[];
}

export class ModelServer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  url = '';
  requests = 0;
  rows = 0;
  concurrent = 0;
  maxConcurrent = 0;
  /** ms to wait before answering (a function of the request number for uneven delays). */
  delay: (n: number) => number = () => 0;
  /** Answer this many next requests with 503. */
  failNext = 0;
  /** kserve-v2: leave this output out of the answer to request number n (1-based), if any. */
  omitOutput: (n: number) => string | null = () => null;
  /** Requests whose tensors came in the binary tensor data extension. */
  binaryRequests = 0;
  /** Binary answers keep every second output in JSON (the extension allows both in one response). */
  mixedBinary = false;
  /** Headers of the last request. */
  lastHeaders: IncomingMessage['headers'] = {};

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const a = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${a.port}`;
    return this;
  }

  /** Dies: stops listening and cuts every open connection. */
  async kill(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    for (const sock of this.sockets) sock.destroy();
    await new Promise<void>((r) => s.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const n = ++this.requests;
    this.lastHeaders = req.headers;
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const raw = Buffer.concat(chunks);
      // kserve-v2 binary tensor data extension: the JSON header's length in a header, tensors after it.
      const hl = req.headers['inference-header-content-length'];
      const split = hl === undefined ? raw.length : Number(hl);
      const body = JSON.parse(raw.toString('utf8', 0, split) || 'null') as Record<string, any>;
      if (hl !== undefined) {
        this.binaryRequests++;
        const inp = body.inputs[0];
        const bytes = raw.subarray(split, split + inp.parameters.binary_data_size);
        const per = inp.datatype === 'FP64' ? 8 : 4;
        if (bytes.length !== per * inp.shape[0] * inp.shape[1]) throw new Error(`binary input of ${bytes.length} bytes for shape [${inp.shape}] of ${inp.datatype}`);
        inp.data = Array.from({ length: bytes.length / per }, (_, i) => (per === 8 ? bytes.readDoubleLE(8 * i) : bytes.readFloatLE(4 * i)));
      }
      const d = this.delay(n);
      if (d > 0) await new Promise((r) => setTimeout(r, d));
      if (this.failNext > 0) {
        this.failNext--;
        res.writeHead(503).end('{"error":"overloaded"}');
        return;
      }
      const out = this.answer(req.url ?? '', body);
      if (out === null) {
        res.writeHead(404).end('{"error":"no such model"}');
        return;
      }
      const omit = this.omitOutput(n);
      if (omit !== null && Array.isArray((out as KserveAnswer).outputs)) (out as KserveAnswer).outputs = (out as KserveAnswer).outputs.filter((o) => o.name !== omit);
      if (body?.parameters?.binary_data_output && Array.isArray((out as { outputs?: unknown }).outputs)) return this.sendBinary(res, out as KserveAnswer);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
    } catch (err) {
      res.writeHead(400).end(JSON.stringify({ error: String(err) }));
    } finally {
      this.concurrent--;
    }
  }

  /**
   * Outputs as raw little-endian tensors after the JSON header, written byte by byte with
   * Buffer's explicit little-endian writers: FP64 probabilities, INT64 labels, and two outputs
   * only binary callers see, `label_name` (BYTES: "churn" / "stay", each a 4-byte length then its
   * text) and `churned` (BOOL, one byte). With `mixedBinary`, every second output stays JSON.
   */
  private sendBinary(res: ServerResponse, out: KserveAnswer): void {
    const label = out.outputs.find((o) => o.name === 'label')!.data as number[];
    out.outputs.push(
      { name: 'label_name', shape: [label.length], datatype: 'BYTES', data: label.map((l) => (l === 1 ? 'churn' : 'stay')) },
      { name: 'churned', shape: [label.length], datatype: 'BOOL', data: label.map((l) => l === 1) },
    );
    const tensors: Buffer[] = [];
    out.outputs.forEach((o, k) => {
      if (this.mixedBinary && k % 2 === 1) return;
      const data = o.data!;
      let t: Buffer;
      if (o.datatype === 'BYTES') {
        t = Buffer.concat(data.map((v) => {
          const text = Buffer.from(String(v), 'utf8');
          const len = Buffer.alloc(4);
          len.writeUInt32LE(text.length);
          return Buffer.concat([len, text]);
        }));
      } else if (o.datatype === 'BOOL') t = Buffer.from(data.map((v) => (v ? 1 : 0)));
      else if (o.datatype === 'INT64') {
        t = Buffer.alloc(8 * data.length);
        data.forEach((v, i) => t.writeBigInt64LE(BigInt(v as number), 8 * i));
      } else {
        o.datatype = 'FP64';
        t = Buffer.alloc(8 * data.length);
        data.forEach((v, i) => t.writeDoubleLE(v as number, 8 * i));
      }
      o.parameters = { binary_data_size: t.length };
      delete o.data;
      tensors.push(t);
    });
    const head = Buffer.from(JSON.stringify(out));
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'inference-header-content-length': head.byteLength }).end(Buffer.concat([head, ...tensors]));
  }

  private answer(url: string, b: Record<string, any>): unknown {
    // Open Inference Protocol v2 (REST): inputs [{name, shape, datatype, data}], data row-major.
    let m = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?\/infer$/.exec(url);
    if (m) {
      if (m[1] !== 'churn') return null;
      const inp = b.inputs[0] as { name: string; shape: [number, number]; datatype: string; data: number[] };
      if (inp.datatype !== 'FP32' && inp.datatype !== 'FP64') throw new Error('expected FP32 or FP64');
      const [rows, w] = inp.shape;
      // An FP32 tensor is float32 on the server, whatever digits the JSON carried (as Triton reads it).
      if (inp.datatype === 'FP32') inp.data = inp.data.map(Math.fround);
      const p: number[] = [];
      const label: number[] = [];
      for (let i = 0; i < rows; i++) {
        const v = logistic(inp.data.slice(i * w, i * w + w));
        p.push(1 - v, v);
        label.push(v > 0.5 ? 1 : 0);
      }
      this.rows += rows;
      return {
        model_name: m[1], model_version: m[2] ?? '7', id: b.id,
        outputs: [
          { name: 'probabilities', shape: [rows, 2], datatype: 'FP32', data: p },
          { name: 'label', shape: [rows], datatype: 'INT64', data: label },
        ],
      };
    }
    // TensorFlow Serving REST predict: row format (instances → predictions), columnar (inputs → outputs).
    m = /^\/v1\/models\/([^/:]+)(?:\/versions\/([^/:]+))?:predict$/.exec(url);
    if (m) {
      if (b.instances) {
        this.rows += b.instances.length;
        return { predictions: (b.instances as number[][]).map((r) => [1 - logistic(r), logistic(r)]) };
      }
      this.rows += b.inputs.length;
      return { outputs: (b.inputs as number[][]).map((r) => [1 - logistic(r), logistic(r)]) };
    }
    // MLflow scoring server: dataframe_split {columns, data} → {predictions}.
    if (url === '/invocations') {
      const df = b.dataframe_split as { columns: string[]; data: number[][] } | undefined;
      const rows = df ? df.data.map((r) => EXPECTED.features.map((f) => r[df.columns.indexOf(f)]!)) : (b.inputs as number[][]);
      this.rows += rows.length;
      return { predictions: rows.map(logistic) };
    }
    // OpenAI-compatible: chat completions (the prompt carries the features) and embeddings.
    if (url === '/v1/chat/completions') {
      const msg = (b.messages as { role: string; content: string }[]).at(-1)!.content;
      const row = msg.replace(/^.*:/, '').split(',').map(Number);
      this.rows++;
      return { id: 'c1', object: 'chat.completion', model: `${b.model}-2024`, choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: logistic(row).toFixed(6) } }] };
    }
    if (url === '/v1/embeddings') {
      const input = b.input as string[];
      this.rows += input.length;
      // Returned out of order on purpose: clients must use `index`.
      return { object: 'list', model: b.model, data: input.map((t, index) => ({ object: 'embedding', index, embedding: embed(t) })).reverse() };
    }
    // A plain JSON API: {features: [...]} → {data: {score}}, or a batch as an array.
    if (url === '/score') {
      if (Array.isArray(b)) {
        this.rows += b.length;
        return { results: b.map((r: { features: number[] }) => ({ score: logistic(r.features) })) };
      }
      this.rows++;
      return { data: { score: logistic(b.features as number[]) } };
    }
    return null;
  }
}
