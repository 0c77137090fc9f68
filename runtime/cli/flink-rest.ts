// Submitting the job to a Flink cluster over its REST API (Flink docs, "REST API"): upload the
// jar (POST /jars/upload), run it (POST /jars/<id>/run) with the compiled pipeline as a program
// argument, then follow the job's state (GET /jobs/<id>) until it ends.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export interface Submitted {
  readonly jobId: string;
  readonly jarId: string;
  readonly webUi: string;
}

async function call(url: string, init?: RequestInit): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    throw new Error(`cannot reach ${url}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the message.
  }
  if (!res.ok) {
    const errors = (body as { errors?: unknown } | null)?.errors;
    throw new Error(`${init?.method ?? 'GET'} ${url}: HTTP ${res.status}: ${Array.isArray(errors) ? restError(errors.map(String)) : 'not a Flink REST API answer (is this the JobManager\'s REST address?)'}`);
  }
  return body;
}

/** Flink's REST errors carry whole Java stack traces: keep the job's own "node '…': …" message
 * when there is one, else each error's first line and its last "Caused by:". */
export function restError(errors: string[]): string {
  const all = errors.join('\n');
  const node = /node '[^']+': [^\n]*/.exec(all);
  if (node) return node[0];
  return errors
    .map((e) => {
      const lines = e.split('\n');
      const cause = lines.filter((l) => l.startsWith('Caused by:')).pop();
      return cause ? `${lines[0]!.trim()} (${cause.trim()})` : lines[0]!.trim();
    })
    .join('; ')
    .slice(0, 1000);
}

/** The compiled pipeline travels inside the run request, so the JobManager needs no file of ours. */
export async function submit(jobmanager: string, jar: string, compiled: unknown, opts: { parallelism?: number; fromSavepoint?: string }): Promise<Submitted> {
  const base = jobmanager.replace(/\/+$/, '');
  const form = new FormData();
  form.append('jarfile', new Blob([readFileSync(jar)], { type: 'application/x-java-archive' }), basename(jar));
  const up = (await call(`${base}/jars/upload`, { method: 'POST', body: form })) as { filename: string };
  const jarId = basename(up.filename);
  const args = ['--pipeline-base64', Buffer.from(JSON.stringify(compiled)).toString('base64')];
  if (opts.parallelism !== undefined) args.push('--parallelism', String(opts.parallelism));
  const body: Record<string, unknown> = { entryClass: 'dev.tributary.flink.TributaryJob', programArgsList: args };
  if (opts.parallelism !== undefined) body.parallelism = opts.parallelism;
  if (opts.fromSavepoint !== undefined) body.savepointPath = opts.fromSavepoint;
  const run = (await call(`${base}/jars/${encodeURIComponent(jarId)}/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })) as { jobid: string };
  return { jobId: run.jobid, jarId, webUi: `${base}/#/job/running/${run.jobid}/overview` };
}

export const TERMINAL = new Set(['FINISHED', 'FAILED', 'CANCELED', 'SUSPENDED']);

/** Poll the job's state, reporting each change, until it is terminal; returns the final state. */
export async function follow(jobmanager: string, jobId: string, onState: (state: string) => void, everyMs = 500): Promise<string> {
  const base = jobmanager.replace(/\/+$/, '');
  let last = '';
  for (;;) {
    const job = (await call(`${base}/jobs/${jobId}`)) as { state: string };
    if (job.state !== last) {
      last = job.state;
      onState(last);
    }
    if (TERMINAL.has(last)) return last;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The root cause Flink recorded for a failed job. */
export async function failureOf(jobmanager: string, jobId: string): Promise<string> {
  const base = jobmanager.replace(/\/+$/, '');
  const ex = (await call(`${base}/jobs/${jobId}/exceptions`)) as { rootException?: string; exceptionHistory?: { entries?: { exceptionName?: string; stacktrace?: string }[] } };
  const trace = ex.rootException ?? ex.exceptionHistory?.entries?.[0]?.stacktrace ?? 'no exception recorded';
  const node = /node '[^']+': [^\n]*/.exec(trace);
  return node ? node[0] : trace.split('\n')[0]!;
}
