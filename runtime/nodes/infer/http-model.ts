// A remote model server. Calls from the operator (up to batchSize records each) are gathered into
// requests of up to batchSize records, sent when full or `linger` after the first record waits;
// at most `concurrency` requests are in flight (one keep-alive connection each), the rest queue.
// A request that fails with a network error, 408, 429 or 5xx is retried with exponential backoff
// until it succeeds, the retries run out, or the records' deadline passes. The deadline is
// `timeout` from when the operator invoked the call (Flink's AsyncWaitOperator starts its timer
// when asyncInvoke is called), so time queued here behind `concurrency` counts; time waiting for
// `capacity` before the call does not (Flink's operator blocks its input then, no timer runs).
// Requests and results move as runs of consecutive rows of a call (segments), never per record.
// URL and headers are resolved from ${VAR} here, once; messages show the URL redacted.
import { resolveEnv } from '../../connectors/env.js';
import { redactUrl } from '../../connectors/redact.js';
import { parseDuration } from '../../format/duration.js';
import type { InferFigures } from './figures.js';
import { HttpPoster } from './http-post.js';
import { ByteWriter } from './json-numbers.js';
import type { ScoredBatch } from './onnx-model.js';
import { type OutputColumn, rowsColumn, tensorColumn } from './outputs.js';
import { type DecodedColumn, type HttpModelParams, ProtocolCodec } from './protocols.js';
import type { InferParams } from './spec.js';

type HttpParams = Extract<InferParams['model'], { kind: 'http' }>;

/** Results gathered for one output of a call: `width` values per row. */
interface CallColumn {
  /** Numbers unboxed when the server's datatype is numeric (no heap number per value). */
  readonly values: unknown[] | Float64Array;
  readonly width: number;
  readonly tensor: boolean;
}

interface Call {
  readonly recs: readonly unknown[];
  readonly from: number;
  readonly n: number;
  readonly deadline: number;
  remaining: number;
  readonly cols: Map<string, CallColumn>;
  readonly bad: Map<number, string>;
  version: string;
  /** The output names of the call's first answer (sorted, one a line). */
  outputs: string | null;
  resolve(b: ScoredBatch): void;
}

/** Rows [start, start + n) of a call. */
interface Segment {
  readonly call: Call;
  readonly start: number;
  readonly n: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class HttpModel {
  private readonly codec: ProtocolCodec;
  private readonly base: string;
  private readonly shown: string;
  private readonly headers: Record<string, string>;
  private readonly perRequest: number;
  private readonly linger: number;
  private readonly timeout: number;
  private readonly backoff: number;
  private readonly poster: HttpPoster;
  private pending: Segment[] = [];
  private pendingRows = 0;
  private lingerTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly queued: Segment[][] = [];
  private active = 0;
  private closed = false;
  /** Request body buffers, one per request in flight, reused (a megabyte each at 4,096 rows). */
  private readonly writers: ByteWriter[] = [];
  version: string;

  constructor(
    private readonly nodeId: string,
    private readonly p: InferParams,
    m: HttpParams,
    private readonly figures: InferFigures,
  ) {
    this.codec = new ProtocolCodec(m as HttpModelParams, { features: p.features, inputs: p.inputs });
    this.base = resolveEnv(m.url, nodeId, 'model.url').replace(/\/+$/, '');
    this.shown = redactUrl(m.url).replace(/\/+$/, '');
    this.headers = {};
    for (const [k, v] of Object.entries(m.headers)) this.headers[k.toLowerCase()] = resolveEnv(v, nodeId, `model.headers.${k}`);
    this.perRequest = this.codec.maxPerRequest(p.batchSize);
    this.linger = parseDuration(p.linger)!;
    this.timeout = parseDuration(p.timeout)!;
    this.backoff = parseDuration(p.backoff)!;
    this.poster = new HttpPoster(this.base, p.concurrency);
    this.version = m.version ?? 'http';
  }

  score(recs: readonly unknown[], from: number, to: number): Promise<ScoredBatch> {
    return new Promise((resolve) => {
      const n = to - from;
      const call: Call = { recs, from, n, deadline: performance.now() + this.timeout, remaining: n, cols: new Map(), bad: new Map(), version: this.version, outputs: null, resolve };
      if (n === 0) return this.finish(call);
      let start = 0;
      while (start < n) {
        const take = Math.min(n - start, this.perRequest - this.pendingRows);
        this.pending.push({ call, start, n: take });
        this.pendingRows += take;
        start += take;
        if (this.pendingRows === this.perRequest) this.flush();
      }
      if (this.pendingRows > 0 && this.lingerTimer === null) {
        this.lingerTimer = setTimeout(() => {
          this.lingerTimer = null;
          if (this.pendingRows > 0) this.flush();
        }, this.linger);
      }
    });
  }

  private flush(): void {
    const segs = this.pending;
    this.pending = [];
    this.pendingRows = 0;
    this.dispatch(segs);
  }

  private finish(call: Call): void {
    const cols = new Map<string, OutputColumn>();
    for (const [k, c] of call.cols) cols.set(k, c.tensor ? tensorColumn(c.values as Float64Array | (string | number)[], [call.n, c.width]) : rowsColumn(c.values as unknown[]));
    call.resolve({ cols, version: call.version, bad: call.bad.size > 0 ? call.bad : null });
  }

  /** Marks rows [start, start + n) of a call done. */
  private done(c: Call, n: number): void {
    c.remaining -= n;
    if (c.remaining === 0) this.finish(c);
  }

  private failAll(segs: readonly Segment[], why: string): void {
    for (const s of segs) {
      for (let r = s.start; r < s.start + s.n; r++) s.call.bad.set(r, why);
      this.done(s.call, s.n);
    }
  }

  private dispatch(segs: Segment[]): void {
    if (this.active >= this.p.concurrency) {
      this.queued.push(segs);
      return;
    }
    this.active++;
    this.figures.inFlight++;
    void this.send(segs).finally(() => {
      this.active--;
      this.figures.inFlight--;
      const next = this.queued.shift();
      if (next) this.dispatch(next);
    });
  }

  private async send(segs: Segment[]): Promise<void> {
    const recs: unknown[] = [];
    let deadline = Infinity;
    for (const s of segs) {
      const base = s.call.from + s.start;
      for (let r = 0; r < s.n; r++) recs.push(s.call.recs[base + r]);
      if (s.call.deadline < deadline) deadline = s.call.deadline;
    }
    let enc: ReturnType<ProtocolCodec['encode']>;
    const writer = this.writers.pop() ?? new ByteWriter();
    try {
      enc = this.codec.encode(recs, writer);
    } catch (err) {
      this.writers.push(writer);
      this.failAll(segs, err instanceof Error ? err.message : String(err));
      return;
    }
    const url = this.base + enc.path;
    const headers = { ...enc.headers, ...this.headers };
    const started = performance.now();
    this.figures.batchSize = enc.rows.length;
    let error = 'not sent';
    let decoded: ReturnType<ProtocolCodec['decode']> | null = null;
    let flushed = false;
    for (let attempt = 0; enc.rows.length > 0 && attempt <= this.p.retries && !this.closed; attempt++) {
      const left = deadline - performance.now();
      if (left <= 0) {
        error = `timed out after ${this.timeout} ms (${attempt} attempt${attempt === 1 ? '' : 's'})`;
        break;
      }
      if (attempt > 0) this.figures.retries++;
      let retry = true;
      try {
        const res = await this.poster.post(url, headers, enc.body, Math.max(1, Math.ceil(left)));
        flushed = res.flushed;
        if (res.status >= 200 && res.status < 300) {
          try {
            const h = res.headers['inference-header-content-length'];
            decoded = this.codec.decode(res.body, Array.isArray(h) ? h[0] : h, enc.rows.length);
          } catch (err) {
            // A response we cannot read (not JSON, wrong shape): retrying would get the same.
            error = `the response from ${this.shown}${enc.path}: ${err instanceof Error ? err.message : String(err)}`;
            retry = false;
          }
          if (decoded) break;
        } else {
          // Redirects are not followed (a POST's body would not be resent by every server's rules).
          const moved = res.status >= 300 && res.status < 400 && typeof res.headers.location === 'string' ? ` (redirects are not followed; set the url to where it points: ${redactUrl(res.headers.location)})` : '';
          error = `HTTP ${res.status} from ${this.shown}${enc.path}${moved}: ${res.body.toString('utf8', 0, 200)}`;
          retry = res.status === 408 || res.status === 429 || res.status >= 500;
        }
      } catch (err) {
        const e = err as Error & { code?: string };
        error = e.name === 'TimeoutError' ? `timed out after ${this.timeout} ms` : `${this.shown}${enc.path}: ${e.code ?? e.message}`;
      }
      if (!retry || attempt === this.p.retries) break;
      const wait = Math.min(this.backoff * 2 ** attempt, Math.max(0, deadline - performance.now()));
      await sleep(wait);
    }
    if (enc.rows.length > 0) this.figures.latency(performance.now() - started);
    // Reused only after an answer to a body sent whole: a request that failed or timed out (its
    // socket destroyed), or a server that answered before reading the body, may leave part of it
    // queued on a socket that still reads this buffer; retries above resend the same bytes.
    if (decoded !== null && flushed && this.writers.length < this.p.concurrency) this.writers.push(writer);
    this.settle(segs, enc.bad, enc.rows, decoded, error);
  }

  /** Hands each segment its rows' results (request rows map to body rows through `rows`). */
  private settle(segs: readonly Segment[], bad: ReadonlyMap<number, string>, rows: readonly number[], dec: ReturnType<ProtocolCodec['decode']> | null, error: string): void {
    const cols = dec ? [...dec.cols] : [];
    const outputs = cols.map(([name]) => name).sort().join('\n');
    let at = 0; // request row
    let body = 0; // body row (rows[body] is the request row it came from)
    for (const s of segs) {
      const c = s.call;
      if (dec && dec.version !== null) c.version = dec.version;
      // A call cut into several requests takes its output columns from the first answer; an answer
      // with other outputs would leave some rows' values at 0 or null, so its rows fail instead.
      if (dec !== null) c.outputs ??= outputs;
      const same = dec !== null && c.outputs === outputs;
      const targets = same
        ? cols.map(([name, col]) => {
            let t = c.cols.get(name);
            if (!t) c.cols.set(name, (t = { values: col.numeric ? new Float64Array(c.n * col.width) : new Array<unknown>(c.n * col.width).fill(null), width: col.width, tensor: col.tensor }));
            return t;
          })
        : [];
      for (let r = s.start; r < s.start + s.n; r++, at++) {
        const why = bad.size > 0 ? bad.get(at) : undefined;
        if (why !== undefined) {
          c.bad.set(r, why);
          continue;
        }
        if (rows[body] !== at) throw new Error('internal: request rows out of step');
        if (dec === null) c.bad.set(r, error);
        else if (!same || !copyRow(cols, targets, body, r)) c.bad.set(r, `the response from ${this.shown} changed its outputs, or an output's shape or datatype, between requests of one call`);
        body++;
      }
      this.done(c, s.n);
    }
  }

  async release(): Promise<void> {
    this.closed = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.poster.close();
  }
}

/** Copies body row `from` into call row `to`; false when an output's width or kind differs from the call's. */
function copyRow(cols: readonly [string, DecodedColumn][], targets: readonly CallColumn[], from: number, to: number): boolean {
  for (let j = 0; j < cols.length; j++) {
    const src = cols[j]![1];
    const t = targets[j]!;
    const w = src.width;
    if (w !== t.width) return false;
    const v = t.values;
    if (v instanceof Float64Array) {
      if (!src.numeric) return false;
      const d = src.data as ArrayLike<number>;
      for (let k = 0; k < w; k++) v[to * w + k] = d[from * w + k]!;
    } else for (let k = 0; k < w; k++) v[to * w + k] = src.data[from * w + k];
  }
  return true;
}
