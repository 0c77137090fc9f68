// A remote model server. Calls from the operator (up to batchSize records each) are gathered into
// requests of up to batchSize records, sent when full or `linger` after the first record waits;
// at most `concurrency` requests are in flight, the rest queue. A request that fails with a
// network error, 408, 429 or 5xx is retried with exponential backoff until it succeeds, the
// retries run out, or the records' deadline (`timeout`, counted from when they arrived) passes.
// URL and headers are resolved from ${VAR} here, once; messages show the URL redacted.
import { resolveEnv } from '../../connectors/env.js';
import { redactUrl } from '../../connectors/redact.js';
import { parseDuration } from '../../format/duration.js';
import type { InferFigures } from './figures.js';
import type { ScoredBatch } from './onnx-model.js';
import { type OutputColumn, rowsColumn } from './outputs.js';
import { type HttpModelParams, ProtocolCodec } from './protocols.js';
import type { InferParams } from './spec.js';

type HttpParams = Extract<InferParams['model'], { kind: 'http' }>;

interface Call {
  readonly recs: readonly unknown[];
  readonly from: number;
  readonly n: number;
  readonly deadline: number;
  remaining: number;
  readonly values: Map<string, unknown[]>;
  readonly bad: Map<number, string>;
  version: string;
  resolve(b: ScoredBatch): void;
}

interface Item {
  readonly call: Call;
  /** Row within the call. */
  readonly row: number;
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
  private pending: Item[] = [];
  private lingerTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly queued: Item[][] = [];
  private active = 0;
  private closed = false;
  version: string;

  constructor(
    private readonly nodeId: string,
    private readonly p: InferParams,
    m: HttpParams,
    private readonly figures: InferFigures,
  ) {
    this.codec = new ProtocolCodec(m as HttpModelParams, { features: p.features, inputs: p.inputs });
    this.base = resolveEnv(m.url, nodeId, 'model.url').replace(/\/+$/, '');
    this.shown = redactUrl(m.url);
    this.headers = { 'content-type': 'application/json' };
    for (const [k, v] of Object.entries(m.headers)) this.headers[k] = resolveEnv(v, nodeId, `model.headers.${k}`);
    this.perRequest = this.codec.maxPerRequest(p.batchSize);
    this.linger = parseDuration(p.linger)!;
    this.timeout = parseDuration(p.timeout)!;
    this.backoff = parseDuration(p.backoff)!;
    this.version = m.version ?? 'http';
  }

  score(recs: readonly unknown[], from: number, to: number): Promise<ScoredBatch> {
    return new Promise((resolve) => {
      const n = to - from;
      const call: Call = { recs, from, n, deadline: performance.now() + this.timeout, remaining: n, values: new Map(), bad: new Map(), version: this.version, resolve };
      if (n === 0) return this.finish(call);
      for (let i = 0; i < n; i++) this.pending.push({ call, row: i });
      while (this.pending.length >= this.perRequest) this.dispatch(this.pending.splice(0, this.perRequest));
      if (this.pending.length > 0 && this.lingerTimer === null) {
        this.lingerTimer = setTimeout(() => {
          this.lingerTimer = null;
          if (this.pending.length > 0) this.dispatch(this.pending.splice(0, this.pending.length));
        }, this.linger);
      }
    });
  }

  private finish(call: Call): void {
    const cols = new Map<string, OutputColumn>();
    for (const [k, v] of call.values) cols.set(k, rowsColumn(v));
    call.resolve({ cols, version: call.version, bad: call.bad.size > 0 ? call.bad : null });
  }

  private settle(item: Item, values: Map<string, unknown[]> | null, index: number, error: string | null, version: string | null): void {
    const c = item.call;
    if (error !== null) c.bad.set(item.row, error);
    else if (values) {
      for (const [k, v] of values) {
        let col = c.values.get(k);
        if (!col) c.values.set(k, (col = new Array(c.n).fill(null)));
        col[item.row] = v[index];
      }
      if (version !== null) c.version = version;
    }
    if (--c.remaining === 0) this.finish(c);
  }

  private dispatch(items: Item[]): void {
    if (this.active >= this.p.concurrency) {
      this.queued.push(items);
      return;
    }
    this.active++;
    this.figures.inFlight++;
    void this.send(items).finally(() => {
      this.active--;
      this.figures.inFlight--;
      const next = this.queued.shift();
      if (next) this.dispatch(next);
    });
  }

  private async send(items: Item[]): Promise<void> {
    const recs = items.map((it) => it.call.recs[it.call.from + it.row]);
    let enc: ReturnType<ProtocolCodec['encode']>;
    try {
      enc = this.codec.encode(recs);
    } catch (err) {
      for (const it of items) this.settle(it, null, 0, err instanceof Error ? err.message : String(err), null);
      return;
    }
    for (const [i, why] of enc.bad) this.settle(items[i]!, null, 0, why, null);
    if (enc.rows.length === 0) return;
    const sent = enc.rows.map((i) => items[i]!);
    const deadline = Math.min(...sent.map((it) => it.call.deadline));
    const body = JSON.stringify(enc.body);
    const url = this.base + enc.path;
    const started = performance.now();
    this.figures.batchSize = sent.length;
    let error = 'not sent';
    for (let attempt = 0; attempt <= this.p.retries && !this.closed; attempt++) {
      const left = deadline - performance.now();
      if (left <= 0) {
        error = `timed out after ${this.timeout} ms (${attempt} attempt${attempt === 1 ? '' : 's'})`;
        break;
      }
      if (attempt > 0) this.figures.retries++;
      let retry = true;
      try {
        const res = await fetch(url, { method: 'POST', headers: this.headers, body, signal: AbortSignal.timeout(Math.max(1, Math.ceil(left))) });
        const text = await res.text();
        if (res.ok) {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            throw Object.assign(new Error(`the response from ${this.shown}${enc.path} is not JSON`), { final: true });
          }
          const dec = this.codec.decode(json, sent.length);
          this.figures.latency(performance.now() - started);
          sent.forEach((it, i) => this.settle(it, dec.cols, i, null, dec.version));
          return;
        }
        error = `HTTP ${res.status} from ${this.shown}${enc.path}: ${text.slice(0, 200)}`;
        retry = res.status === 408 || res.status === 429 || res.status >= 500;
      } catch (err) {
        const e = err as Error & { final?: boolean; cause?: { code?: string; message?: string } };
        if (e.name === 'TimeoutError' || e.name === 'AbortError') error = `timed out after ${this.timeout} ms`;
        else if (e.final || !(e.name === 'TypeError')) {
          // A response we cannot read (not JSON, wrong shape): retrying would get the same.
          error = e.message;
          retry = false;
        } else error = `${this.shown}${enc.path}: ${e.cause?.code ?? e.cause?.message ?? e.message}`;
      }
      if (!retry || attempt === this.p.retries) break;
      const wait = Math.min(this.backoff * 2 ** attempt, Math.max(0, deadline - performance.now()));
      await sleep(wait);
    }
    this.figures.latency(performance.now() - started);
    for (const it of sent) this.settle(it, null, 0, error, null);
  }

  async release(): Promise<void> {
    this.closed = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
  }
}
