// One record → the Redis command(s) sink.redis sends for it, computed when the record arrives so
// a bad record is reported at once (to `errors`) rather than when its batch is written.
import { compileExpression, compileTemplate } from '../../expr/index.js';

export type Command = (string | number)[];
type Fn = (event: unknown) => unknown;

export interface CommandParams {
  command: 'HSET' | 'HINCRBY' | 'SET' | 'ZADD' | 'ZINCRBY' | 'XADD' | 'PUBLISH' | 'LPUSH';
  key: string;
  fields?: string | undefined;
  value?: string | undefined;
  member?: string | undefined;
  score?: string | undefined;
  maxLen?: number | undefined;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? 'null';
}

function entries(v: unknown, what: string): [string, unknown][] {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what} must be an object, got ${JSON.stringify(v)}`);
  const e = Object.entries(v).filter(([, x]) => x !== undefined);
  if (e.length === 0) throw new Error(`${what} is empty`);
  return e;
}

/** Append the object's fields as `field value` pairs (as entries() + text(), without the arrays per record). */
function pushPairs(cmd: Command, v: unknown, what: string): Command {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what} must be an object, got ${JSON.stringify(v)}`);
  const o = v as Record<string, unknown>;
  const names = Object.keys(o);
  const before = cmd.length;
  for (let i = 0; i < names.length; i++) {
    const x = o[names[i]!];
    if (x !== undefined) cmd.push(names[i]!, text(x));
  }
  if (cmd.length === before) throw new Error(`${what} is empty`);
  return cmd;
}

function number(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${what} must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}

/** Compile once; the function returns the commands for a record, or throws with the reason. */
export function commandBuilder(p: CommandParams, ttlMs: number | null): (rec: unknown) => Command[] {
  const key = compileTemplate(p.key);
  const fn = (src: string | undefined) => (src === undefined ? null : (compileExpression(src) as Fn));
  const fields = fn(p.fields);
  const value = fn(p.value);
  const member = fn(p.member);
  const score = fn(p.score);
  const expire = (k: string, cmds: Command[]) => {
    if (ttlMs !== null && p.command !== 'SET' && p.command !== 'PUBLISH') cmds.push(['pexpire', k, ttlMs]);
    return cmds;
  };
  switch (p.command) {
    case 'HSET':
      return (r) => {
        const k = key(r);
        return expire(k, [pushPairs(['hset', k], fields!(r), 'fields')]);
      };
    case 'HINCRBY':
      return (r) => {
        const k = key(r);
        return expire(k, entries(fields!(r), 'fields').map(([f, v]) => ['hincrby', k, f, Math.trunc(number(v, `fields.${f}`))]));
      };
    case 'XADD':
      return (r) => {
        const k = key(r);
        const head: Command = p.maxLen === undefined ? ['xadd', k, '*'] : ['xadd', k, 'MAXLEN', '~', p.maxLen, '*'];
        return expire(k, [pushPairs(head, fields!(r), 'fields')]);
      };
    case 'SET':
      return (r) => [ttlMs === null ? ['set', key(r), text(value!(r))] : ['set', key(r), text(value!(r)), 'PX', ttlMs]];
    case 'PUBLISH':
      return (r) => [['publish', key(r), text(value!(r))]];
    case 'LPUSH':
      return (r) => {
        const k = key(r);
        const cmds: Command[] = [['lpush', k, text(value!(r))]];
        if (p.maxLen !== undefined) cmds.push(['ltrim', k, 0, p.maxLen - 1]);
        return expire(k, cmds);
      };
    case 'ZADD':
    case 'ZINCRBY':
      return (r) => {
        const k = key(r);
        const m = member!(r);
        if (m === undefined || m === null) throw new Error('member is null');
        return expire(k, [[p.command.toLowerCase(), k, number(score!(r), 'score'), text(m)]]);
      };
  }
}
