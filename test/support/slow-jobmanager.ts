// A JobManager REST address whose answers the test times: `GET /jobs/<id>` (the job's state, no
// vertices) and `PATCH /jobs/<id>?mode=cancel`, nothing else. A real cluster cannot be told to
// answer one request late, which is what the races between opening documents need; everything
// else about following a job is tested against a real cluster (test/host/flink-run.test.ts).
import { createServer } from 'node:http';

export interface SlowJobManager {
  readonly url: string;
  /** Flink's state of each job it knows. */
  readonly jobs: Map<string, string>;
  /** The job ids cancelled through it. */
  readonly cancelled: string[];
  /** Hold every `GET /jobs/<id>` answer until release() (the requests already made wait too). */
  hold(): void;
  release(): void;
  /** How many `GET /jobs/<id>` requests are held now. */
  held(): number;
  close(): Promise<void>;
}

export async function slowJobManager(): Promise<SlowJobManager> {
  const jobs = new Map<string, string>();
  const cancelled: string[] = [];
  let holding = false;
  let waiting: (() => void)[] = [];
  const server = createServer((req, res) => {
    const m = /^\/jobs\/([0-9a-f]{32})(\?mode=cancel)?$/.exec(req.url ?? '');
    const state = m ? jobs.get(m[1]!) : undefined;
    if (!m || state === undefined) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":["Job could not be found."]}');
    if (req.method === 'PATCH' && m[2]) {
      cancelled.push(m[1]!);
      return void res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
    }
    const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jid: m[1], state: jobs.get(m[1]!), duration: 1000, vertices: [] }));
    if (holding) waiting.push(answer);
    else answer();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    jobs,
    cancelled,
    hold: () => void (holding = true),
    release() {
      holding = false;
      for (const a of waiting) a();
      waiting = [];
    },
    held: () => waiting.length,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
