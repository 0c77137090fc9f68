// Redis enrichment on the async base (spec.ts says what users see): each request is one pipeline
// of HGETALL/GET for the distinct keys its records need that the cache does not have.
import { connectRedis, type RedisHandle } from '../../connectors/redis/client.js';
import { AsyncFailure, AsyncWaitOperator } from '../../engine/async-wait.js';
import { errorMessage } from '../../engine/errors.js';
import type { OperatorFactory } from '../../engine/factory.js';
import type { NodeMetrics } from '../../engine/metrics.js';
import type { JobControl } from '../../engine/operator.js';
import { compileTemplate } from '../../expr/index.js';
import { parseDuration } from '../../format/duration.js';
import type { ParamsOf } from '../spec.js';
import { TtlCache } from './cache.js';
import type { lookupRedisSpec } from './spec.js';

type Params = ParamsOf<typeof lookupRedisSpec>;

/** What a key holds after decoding: an object, a string, or null when the key is missing. */
type Found = Record<string, unknown> | string | null;

export class RedisLookup extends AsyncWaitOperator {
  private redis: RedisHandle | null = null;
  private readonly key: (rec: unknown) => string;
  private readonly cache: TtlCache<Found> | null;

  constructor(
    job: JobControl,
    metrics: NodeMetrics,
    nodeId: string,
    private readonly p: Params,
  ) {
    super(job, 2, nodeId, metrics, { capacity: p.capacity, timeout: parseDuration(p.timeout)!, ordered: p.ordered, errorsPort: 1 });
    this.key = compileTemplate(p.key);
    this.cache = p.cacheTtl === undefined ? null : new TtlCache(parseDuration(p.cacheTtl)!, p.cacheSize);
  }

  async open(): Promise<void> {
    this.redis = await connectRedis(this.p.url, this.nodeId);
  }

  async close(): Promise<void> {
    await this.redis?.close();
    this.redis = null;
  }

  protected async invoke(recs: readonly unknown[]): Promise<unknown[]> {
    const now = this.job.clock.now();
    const keys: (string | AsyncFailure)[] = [];
    const found = new Map<string, Found | AsyncFailure>();
    const wanted: string[] = [];
    for (const r of recs) {
      let k: string;
      try {
        k = this.key(r);
      } catch (err) {
        keys.push(new AsyncFailure(errorMessage(err)));
        continue;
      }
      keys.push(k);
      if (found.has(k)) continue;
      const hit = this.cache?.get(k, now);
      if (hit !== undefined) found.set(k, hit.value);
      else {
        found.set(k, null);
        wanted.push(k);
      }
    }
    if (wanted.length > 0) {
      const pipe = this.redis!.client.pipeline();
      for (const k of wanted) {
        if (this.p.kind === 'hash') pipe.hgetall(k);
        else pipe.get(k);
      }
      const res = (await pipe.exec()) ?? [];
      for (let i = 0; i < wanted.length; i++) {
        const [err, v] = res[i] ?? [new Error('no reply'), null];
        // A key Redis refuses (WRONGTYPE, say) fails only the records that need it; a dead
        // connection fails every key, and so every record, the same way.
        if (err) {
          found.set(wanted[i]!, new AsyncFailure(`${this.p.kind === 'hash' ? 'HGETALL' : 'GET'} ${wanted[i]}: ${errorMessage(err)}`));
          continue;
        }
        const value = this.decode(v);
        found.set(wanted[i]!, value);
        if (!(value instanceof AsyncFailure)) this.cache?.set(wanted[i]!, value, now);
      }
    }
    return recs.map((r, i) => {
      const k = keys[i]!;
      if (k instanceof AsyncFailure) return k;
      const v = found.get(k)!;
      return v instanceof AsyncFailure ? v : this.merge(r as Record<string, unknown>, v);
    });
  }

  private decode(v: unknown): Found | AsyncFailure {
    if (this.p.kind === 'hash') {
      const h = v as Record<string, string>;
      return Object.keys(h).length === 0 ? null : h;
    }
    if (v === null || v === undefined) return null;
    if (this.p.kind === 'string') return String(v);
    try {
      return JSON.parse(String(v)) as Found;
    } catch (err) {
      return new AsyncFailure(`the value is not valid JSON: ${errorMessage(err)}`);
    }
  }

  private merge(rec: Record<string, unknown>, v: Found): unknown {
    if (this.p.as !== undefined) return { ...rec, [this.p.as]: v };
    if (v === null) return rec;
    if (typeof v !== 'object' || Array.isArray(v)) return new AsyncFailure('the value is not an object to merge; set `as` to put it in a field');
    return { ...rec, ...v };
  }
}

export const createRedisLookup: OperatorFactory<Params> = (ctx, p) => ({
  operator: new RedisLookup(ctx.job, ctx.metrics, ctx.nodeId, p),
});
