// Small pieces of Flink SQL text shared by the exporter: identifiers, literals, intervals, types,
// and the reason a node cannot be written (thrown while translating, caught per node).

/** Thrown when a node cannot be written as Flink SQL faithfully; the exporter names the node. */
export class Unfit extends Error {}

export const unfit = (reason: string): never => {
  throw new Unfit(reason);
};

/** Column types the exporter writes: what JSON scalars read as. */
export type SqlType = 'STRING' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'NULL';

export interface Column {
  readonly name: string;
  readonly type: SqlType;
}

/** A back-quoted identifier (Flink SQL's quoting; a back quote inside is doubled). */
export const id = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

/** A string literal ('' is a quote). */
export const str = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Flink SQL's day-time intervals take the default DAY(2) precision only (DAY(6) is refused by the planner). */
const MAX_INTERVAL_MS = 100 * 86_400_000 - 1;

/**
 * A day-time interval of exactly `ms` milliseconds: INTERVAL 'd hh:mm:ss.fff' DAY TO SECOND(3).
 * Negative values get a leading minus. Longer than 99 days cannot be written.
 */
export function interval(ms: number): string {
  const a = Math.abs(ms);
  if (!Number.isInteger(ms)) unfit(`${ms} ms is not a whole number of milliseconds`);
  if (a > MAX_INTERVAL_MS) unfit(`${ms} ms is longer than the 99 days a Flink SQL day-time interval holds`);
  const d = Math.floor(a / 86_400_000);
  const rest = a % 86_400_000;
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const text = `${d} ${p(Math.floor(rest / 3_600_000))}:${p(Math.floor(rest / 60_000) % 60)}:${p(Math.floor(rest / 1000) % 60)}.${p(rest % 1000, 3)}`;
  return `${ms < 0 ? '-' : ''}INTERVAL '${text}' DAY TO SECOND(3)`;
}

/** Epoch milliseconds of a window bound (TIMESTAMP(3) in the session time zone, which the script sets to UTC). */
export const epochMillis = (col: string): string => `(EXTRACT(EPOCH FROM ${col}) * 1000 + EXTRACT(MILLISECOND FROM ${col}))`;

/**
 * Column types from sample records (JSON Lines read by the caller): a field is BIGINT when every
 * sampled value is an integer, DOUBLE when some are fractional, STRING, BOOLEAN; a field that is
 * an object or array, or that mixes kinds, cannot be declared. Field order is first appearance.
 */
export function inferColumns(sample: readonly unknown[]): { columns: Column[]; problems: string[] } {
  const kinds = new Map<string, Set<string>>();
  for (const r of sample) {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) continue;
    for (const [k, v] of Object.entries(r)) {
      let set = kinds.get(k);
      if (!set) kinds.set(k, (set = new Set()));
      if (v === null || v === undefined) continue;
      set.add(typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'double') : Array.isArray(v) ? 'array' : typeof v);
    }
  }
  const columns: Column[] = [];
  const problems: string[] = [];
  for (const [name, set] of kinds) {
    if (set.has('int') && set.has('double')) set.delete('int');
    const only = [...set];
    if (only.length === 0) columns.push({ name, type: 'STRING' });
    else if (only.length > 1) problems.push(`field '${name}' holds ${only.join(' and ')} values in the sample; a SQL column has one type`);
    else if (only[0] === 'object' || only[0] === 'array') problems.push(`field '${name}' holds ${only[0]}s; nested values are not declared (ROW/ARRAY types would need their shapes)`);
    else columns.push({ name, type: ({ int: 'BIGINT', double: 'DOUBLE', string: 'STRING', boolean: 'BOOLEAN' } as const)[only[0] as 'int'] });
  }
  return { columns, problems };
}
