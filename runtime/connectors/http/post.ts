// One webhook delivery with retries: Node's fetch (undici), a timeout per attempt, exponential
// backoff, Retry-After honoured. Resolves with the outcome rather than throwing, so the sink can
// route a failure to its errors port.
export interface Delivery {
  readonly ok: boolean;
  readonly status: number | null;
  readonly error: string | null;
  readonly attempts: number;
}

export interface DeliveryOptions {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly retries: number;
  readonly backoff: number;
  readonly timeout: number;
}

const RETRY_AFTER_CAP_MS = 30_000;

function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function retryAfter(h: string | null): number | null {
  if (h === null) return null;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.min(s * 1000, RETRY_AFTER_CAP_MS);
  const at = Date.parse(h);
  return Number.isFinite(at) ? Math.min(Math.max(0, at - Date.now()), RETRY_AFTER_CAP_MS) : null;
}

export async function deliver(body: string, o: DeliveryOptions): Promise<Delivery> {
  let last: Delivery = { ok: false, status: null, error: 'not sent', attempts: 0 };
  for (let attempt = 0; attempt <= o.retries; attempt++) {
    let wait = o.backoff * 2 ** attempt;
    try {
      const res = await fetch(o.url, { method: o.method, headers: { 'content-type': 'application/json', ...o.headers }, body, signal: AbortSignal.timeout(o.timeout) });
      // Read the body so the connection can be reused.
      await res.arrayBuffer().catch(() => {});
      if (res.ok) return { ok: true, status: res.status, error: null, attempts: attempt + 1 };
      last = { ok: false, status: res.status, error: `HTTP ${res.status} ${res.statusText}`.trim(), attempts: attempt + 1 };
      if (!retryable(res.status)) return last;
      wait = retryAfter(res.headers.get('retry-after')) ?? wait;
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const why = e.name === 'TimeoutError' ? `timed out after ${o.timeout} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
      last = { ok: false, status: null, error: why, attempts: attempt + 1 };
    }
    if (attempt < o.retries) await new Promise((r) => setTimeout(r, wait));
  }
  return last;
}
