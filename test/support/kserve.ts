// A real Open Inference Protocol (KServe v2) model server on 127.0.0.1 for the recommendation
// pipeline: POST /v2/models/recs/infer scores each row of the `input` tensor with a small
// logistic model, row by row, as a Triton or MLServer deployment of it would; plus the health and
// metadata endpoints. Not constants: every score depends on its row.
import { createServer, type Server } from 'node:http';

export const RECS_MODEL = { name: 'recs', version: '3', features: ['views', 'rank', 'productNo'], weights: [0.9, -0.25, 0.001], bias: -1 } as const;

/** The model the server computes, for tests' independent expectations. */
export function recsScore(row: readonly number[]): number {
  let z = RECS_MODEL.bias;
  for (let j = 0; j < RECS_MODEL.weights.length; j++) z += RECS_MODEL.weights[j]! * row[j]!;
  return 1 / (1 + Math.exp(-z));
}

export interface KserveServer {
  readonly url: string;
  /** Requests and rows served. */
  readonly stats: { requests: number; rows: number };
  /** The next `requests` inference requests are answered `ms` late (a server stalled for a while). */
  readonly slow: { requests: number; ms: number };
  close(): Promise<void>;
}

export async function startKserve(): Promise<KserveServer> {
  const stats = { requests: 0, rows: 0 };
  const slow = { requests: 0, ms: 0 };
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const path = req.url!.split('?')[0]!;
    if (req.method === 'GET' && (path === '/v2/health/ready' || path === '/v2/health/live')) return send(200, { ready: true });
    if (req.method === 'GET' && path === `/v2/models/${RECS_MODEL.name}`) {
      return send(200, { name: RECS_MODEL.name, versions: [RECS_MODEL.version], platform: 'tributary-test', inputs: [{ name: 'input', datatype: 'FP64', shape: [-1, 3] }], outputs: [{ name: 'score', datatype: 'FP64', shape: [-1, 1] }] });
    }
    const m = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?\/infer$/.exec(path);
    if (req.method !== 'POST' || m === null) return send(404, { error: `no route ${req.method} ${path}` });
    if (m[1] !== RECS_MODEL.name) return send(404, { error: `model ${m[1]} not found` });
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let input: { name: string; shape: number[]; datatype: string; data: unknown };
      try {
        input = JSON.parse(body).inputs.find((i: { name: string }) => i.name === 'input');
      } catch {
        return send(400, { error: 'body is not an inference request' });
      }
      if (!input || input.shape.length !== 2 || input.shape[1] !== 3) return send(400, { error: `expected input 'input' of shape [N, 3], got ${JSON.stringify(input?.shape)}` });
      const flat = (input.data as unknown[]).flat(Infinity) as number[];
      const n = input.shape[0]!;
      if (flat.length !== n * 3 || flat.some((v) => typeof v !== 'number')) return send(400, { error: 'data does not match shape' });
      const scores: number[] = new Array(n);
      const row = [0, 0, 0];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 3; j++) row[j] = flat[i * 3 + j]!;
        scores[i] = recsScore(row);
      }
      stats.requests++;
      stats.rows += n;
      const answer = () => send(200, { model_name: RECS_MODEL.name, model_version: RECS_MODEL.version, outputs: [{ name: 'score', datatype: 'FP64', shape: [n, 1], data: scores }] });
      if (slow.requests > 0) {
        slow.requests--;
        setTimeout(answer, slow.ms);
      } else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url, stats, slow, close: () => new Promise<void>((r) => server.close(() => r())) };
}
