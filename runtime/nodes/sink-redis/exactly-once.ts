// sink.redis with `deliveryGuarantee: exactly-once`: each checkpoint epoch's commands are applied
// after the checkpoint completes (transactional-sink.ts), in chunks, each by one Lua script that
// compares the ordinal of each of the chunk's records with an epoch marker kept in Redis (how many
// records of the run have been applied), applies the commands of the newer ones and advances the
// marker. A script runs atomically, so a record is applied once however often a restored run sends
// it again; HINCRBY, ZINCRBY, LPUSH, XADD and
// PUBLISH then count once, like the idempotent HSET, SET and ZADD. (Flink's idempotent-sink
// pattern, with the epoch as the idempotence key.)
import { connectRedis, isConnectionError, type RedisHandle } from '../../connectors/redis/client.js';
import { unwritablePreview, unwritableReason } from '../../connectors/json-lines.js';
import type { Batch } from '../../engine/batch.js';
import { NodeError, errorMessage } from '../../engine/errors.js';
import type { NodeMetrics } from '../../engine/metrics.js';
import type { JobControl } from '../../engine/operator.js';
import { TransactionalSink, type Transaction } from '../../engine/transactional-sink.js';
import { parseDuration } from '../../format/duration.js';
import type { ParamsOf } from '../spec.js';
import { type Command, commandBuilder } from './commands.js';
import type { sinkRedisSpec } from './spec.js';

type Params = ParamsOf<typeof sinkRedisSpec>;

const CONNECT_TIMEOUT_MS = 5000;
const COMMAND_TIMEOUT_MS = 10_000;
/** How long an epoch marker outlives its last commit: a run restored later may apply its last epoch twice. */
export const MARKER_TTL_MS = 7 * 24 * 3600 * 1000;

/** Where the epoch marker of one sink node in one run lineage lives. */
export function markerKey(nodeId: string, lineage: string): string {
  return `tributary:commit:${nodeId}:${lineage}`;
}

// KEYS[1] marker; ARGV: ordinal (in the lineage) of the chunk's first record, final ('F' or 'N'),
// marker ttl ms, then per record its command count and per command its argument count and
// arguments. The marker reads "<records applied>:F|N": records are counted, not chunks, so a chunk
// cut differently after a restore (another `batchSize`, or a replayed epoch that a checkpoint now
// splits where the lost run had not) still applies each record once; once F, the lineage is done.
// pcall: a command Redis refuses (wrong type) does not leave the chunk half applied without its
// marker; the first refusal is returned and fails the run.
export const COMMIT_LUA = `
local cur = redis.call('GET', KEYS[1])
local done = 0
if cur then
  local n, f = string.match(cur, '^(%d+):(%a)$')
  if not n then return redis.error_reply('unexpected epoch marker ' .. KEYS[1] .. ' = ' .. cur) end
  if f == 'F' then return {0, ''} end
  done = tonumber(n)
end
local ord = tonumber(ARGV[1])
local refused = ''
local i = 4
while i <= #ARGV do
  local cmds = tonumber(ARGV[i])
  i = i + 1
  for _ = 1, cmds do
    local n = tonumber(ARGV[i])
    if ord >= done then
      local r = redis.pcall(unpack(ARGV, i + 1, i + n))
      if type(r) == 'table' and r.err and refused == '' then refused = ARGV[i + 1] .. ' ' .. ARGV[i + 2] .. ': ' .. r.err end
    end
    i = i + n + 1
  end
  ord = ord + 1
end
if ord <= done and ARGV[2] ~= 'F' then return {0, ''} end
redis.call('SET', KEYS[1], string.format('%d', math.max(ord, done)) .. ':' .. ARGV[2], 'PX', ARGV[3])
return {1, refused}
`;

/** COMMIT_LUA's ARGV for the records `items`, the first of which has ordinal `first` in the lineage. */
export function commitArgs(first: number, items: readonly Command[][], final: boolean): (string | number)[] {
  const args: (string | number)[] = [first, final ? 'F' : 'N', MARKER_TTL_MS];
  for (const cmds of items) {
    args.push(cmds.length);
    for (const cmd of cmds) args.push(cmd.length, ...cmd);
  }
  return args;
}

type CommitFn = (marker: string, ...args: (string | number)[]) => Promise<[number, string]>;

export class ExactlyOnceRedisSink extends TransactionalSink<Command[]> {
  private redis: RedisHandle | null = null;
  private readonly build: (rec: unknown) => Command[];
  private readonly retryFor: number;

  constructor(
    job: JobControl,
    metrics: NodeMetrics,
    private readonly nodeId: string,
    private readonly p: Params,
  ) {
    super(job, metrics, p.maxBuffered, 1);
    this.build = commandBuilder(p, p.ttl === undefined ? null : parseDuration(p.ttl));
    this.retryFor = parseDuration(p.retryFor)!;
  }

  protected async connect(): Promise<void> {
    this.redis = await connectRedis(this.p.url, this.nodeId, CONNECT_TIMEOUT_MS, COMMAND_TIMEOUT_MS);
    this.redis.client.defineCommand('tributaryCommit', { numberOfKeys: 1, lua: COMMIT_LUA });
  }

  protected async disconnect(): Promise<void> {
    await this.redis?.close();
    this.redis = null;
  }

  protected prepare(b: Batch): Command[][] {
    const out: Command[][] = [];
    let errs: { error: string; record: unknown; ts: number }[] | null = null;
    for (let i = 0; i < b.recs.length; i++) {
      try {
        out.push(this.build(b.recs[i]));
      } catch (err) {
        const deep = err instanceof RangeError;
        (errs ??= []).push({ error: deep ? unwritableReason(err) : errorMessage(err), record: deep ? unwritablePreview(b.recs[i]) : b.recs[i], ts: b.ts[i]! });
      }
    }
    if (errs !== null) this.emitErrors(this.nodeId, errs);
    return out;
  }

  protected async apply(t: Transaction<Command[]>): Promise<void> {
    const size = this.p.batchSize;
    const chunks = Math.max(1, Math.ceil(t.items.length / size));
    const key = markerKey(this.nodeId, t.lineage);
    for (let c = 0; c < chunks; c++) {
      await this.run(key, commitArgs(t.first + c * size, t.items.slice(c * size, (c + 1) * size), t.final && c === chunks - 1));
    }
  }

  /** One chunk; retried while Redis is unreachable (safe: the marker makes a repeat a no-op). */
  private async run(key: string, args: (string | number)[]): Promise<void> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const client = this.redis!.client;
      try {
        const [, refused] = await (client as unknown as { tributaryCommit: CommitFn }).tributaryCommit(key, ...args);
        if (refused !== '') throw new NodeError(this.nodeId, `Redis refused ${refused}`);
        return;
      } catch (err) {
        if (err instanceof NodeError) throw err;
        if (!isConnectionError(err, client)) throw new NodeError(this.nodeId, `writing to Redis failed: ${errorMessage(err)}`, { cause: err });
        this.metrics.errors++;
        if (Date.now() - started > this.retryFor) {
          throw new NodeError(this.nodeId, `Redis at ${this.redis!.where} unreachable for ${Math.round((Date.now() - started) / 1000)} s: ${errorMessage(err) || this.redis!.lastError()}`);
        }
        await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 1000)));
      }
    }
  }
}
