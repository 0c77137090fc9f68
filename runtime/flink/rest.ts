// Submitting the job to a Flink cluster over its REST API (Flink docs, "REST API"): upload the
// jar (POST /jars/upload), run it (POST /jars/<id>/run) with the compiled pipeline as a program
// argument, then follow the job's state (GET /jobs/<id>) until it ends; cancel it (PATCH
// /jobs/<id>?mode=cancel) or stop it with a savepoint (POST /jobs/<id>/stop). Shared by
// `tributary flink run` and the editor's host ("Run on Flink…").
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export interface Submitted {
  readonly jobId: string;
  readonly jarId: string;
  readonly webUi: string;
}

/** An answer with an HTTP error status (404: Flink knows no such job). */
export class RestStatusError extends Error {
  override readonly name = 'RestStatusError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/**
 * One REST call; the parsed JSON answer, or an error that says what went wrong in a sentence.
 * Redirects are refused: Flink's REST API answers in place, and the address the user gave is the
 * only one contacted (a redirect would carry the jar and the pipeline elsewhere).
 */
export async function call(url: string, init?: RequestInit): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(30_000), ...init, redirect: 'error' });
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
    throw new RestStatusError(`${init?.method ?? 'GET'} ${url}: HTTP ${res.status}: ${Array.isArray(errors) ? restError(errors.map(String)) : 'not a Flink REST API answer (is this the JobManager\'s REST address?)'}`, res.status);
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

/**
 * The longest string Flink's REST server reads in a request's JSON: Jackson's default
 * `StreamReadConstraints.maxStringLength` (20,000,000 characters since Jackson 2.15), which
 * the run request's program argument — the compiled pipeline as base64 — must fit.
 */
export const REST_MAX_STRING = 20_000_000;

/** The compiled pipeline as the run request's program argument, or a clear error when Flink's REST server would refuse it. */
export function pipelineArgument(compiled: unknown): string {
  const arg = Buffer.from(JSON.stringify(compiled)).toString('base64');
  if (arg.length <= REST_MAX_STRING) return arg;
  const nodes = (compiled as { nodes?: { id: string; params?: { model?: { bytes?: unknown } } }[] }).nodes ?? [];
  const models = nodes
    .filter((n) => typeof n.params?.model?.bytes === 'string')
    .map((n) => `'${n.id}' (${((n.params!.model!.bytes as string).length * 0.75 / 1e6).toFixed(1)} MB)`);
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  throw new Error(
    `the compiled pipeline is ${mb(arg.length)} as the run request's program argument (base64), above the ${mb(REST_MAX_STRING)} Flink's REST server reads in one JSON string, so the cluster would refuse it` +
      (models.length > 0 ? `; the ONNX model${models.length > 1 ? 's' : ''} of infer node${models.length > 1 ? 's' : ''} ${models.join(', ')} travel${models.length > 1 ? '' : 's'} inside it: together they must stay under about 11 MB to submit this way (\`tributary flink local\` has no such limit)` : ''),
  );
}

/** The compiled pipeline travels inside the run request, so the JobManager needs no file of ours. */
export async function submit(jobmanager: string, jar: string, compiled: unknown, opts: { parallelism?: number; fromSavepoint?: string; allowNonRestoredState?: boolean }): Promise<Submitted> {
  const base = jobmanager.replace(/\/+$/, '');
  // Before the jar's upload: a pipeline too big to submit is said at once.
  const pipeline = pipelineArgument(compiled);
  const form = new FormData();
  form.append('jarfile', new Blob([readFileSync(jar)], { type: 'application/x-java-archive' }), basename(jar));
  // A large jar over a slow link may take a while: not the 30 s other calls get.
  const up = (await call(`${base}/jars/upload`, { method: 'POST', body: form, signal: AbortSignal.timeout(600_000) })) as { filename: string };
  const jarId = basename(up.filename);
  const args = ['--pipeline-base64', pipeline];
  if (opts.parallelism !== undefined) args.push('--parallelism', String(opts.parallelism));
  const body: Record<string, unknown> = { entryClass: 'dev.tributary.flink.TributaryJob', programArgsList: args };
  if (opts.parallelism !== undefined) body.parallelism = opts.parallelism;
  if (opts.fromSavepoint !== undefined) body.savepointPath = opts.fromSavepoint;
  // JarRunRequestBody's allowNonRestoredState, as `flink run --allowNonRestoredState`.
  if (opts.allowNonRestoredState) body.allowNonRestoredState = true;
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

/** The REST address without trailing slashes; only http(s) URLs are Flink REST addresses. */
export function restBase(jobmanager: string): string {
  let url: URL;
  try {
    url = new URL(jobmanager);
  } catch {
    throw new Error(`${JSON.stringify(jobmanager)} is not a URL; give the JobManager's REST address, e.g. http://127.0.0.1:8081`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${jobmanager}: only http:// and https:// addresses are Flink REST addresses`);
  if (url.username || url.password) throw new Error(`${jobmanager}: give the address without a user name or password`);
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** Cancel the job (Flink's "cancel": sources stop at once, nothing is saved). */
export async function cancel(jobmanager: string, jobId: string): Promise<void> {
  await call(`${restBase(jobmanager)}/jobs/${encodeURIComponent(jobId)}?mode=cancel`, { method: 'PATCH' });
}

/**
 * Flink's stop-with-savepoint (POST /jobs/<id>/stop, then polling the savepoint trigger): the
 * sources stop, a savepoint is taken and the job ends FINISHED. Without `targetDirectory` the
 * cluster's `state.savepoints.dir` is used; a cluster without one says so. Returns where it went.
 */
export async function stopWithSavepoint(jobmanager: string, jobId: string, targetDirectory?: string, timeoutMs = 120_000): Promise<string> {
  const base = `${restBase(jobmanager)}/jobs/${encodeURIComponent(jobId)}`;
  const body: Record<string, unknown> = { drain: false };
  if (targetDirectory !== undefined) body.targetDirectory = targetDirectory;
  const t = (await call(`${base}/stop`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })) as { 'request-id': string };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = (await call(`${base}/savepoints/${encodeURIComponent(t['request-id'])}`)) as {
      status: { id: string };
      operation?: { location?: string; 'failure-cause'?: { 'stack-trace'?: string; 'serialized-throwable'?: unknown } };
    };
    if (s.status.id === 'COMPLETED') {
      if (s.operation?.location) return s.operation.location;
      const trace = s.operation?.['failure-cause']?.['stack-trace'] ?? 'no reason given';
      throw new Error(restError([trace]));
    }
    if (Date.now() > deadline) throw new Error(`the savepoint was not taken within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
