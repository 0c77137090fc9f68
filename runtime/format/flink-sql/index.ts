// `tributary flink export`'s Flink SQL script: the pipeline as CREATE TABLE statements for its
// sources and sinks, a view per node (filter/map → SELECT … WHERE, keyBy → a key column,
// window → window TVFs, join.interval → an interval join, union → UNION ALL, cep →
// MATCH_RECOGNIZE) and one statement set of INSERTs. Written only when every node can be written
// faithfully; otherwise each node that cannot is named with the reason, and no SQL is written
// (docs/flink.md, "Flink SQL export"). Isomorphic: the caller reads the sample records that give
// the sources' column types.
import type { CompiledPipeline, FlinkProblem } from '../flink.js';
import type { Pipeline } from '../validate.js';
import { type Binding, type Scope, type Typed, condition, record, translate } from './expr.js';
import { type Column, type SqlType, Unfit, epochMillis, id, inferColumns, interval, str, unfit } from './sql.js';

/** What a node's view holds: its record's columns, the event-time attribute and the key, if any. */
interface Relation {
  readonly name: string;
  readonly columns: readonly Column[];
  /** Whether `__rt` (TIMESTAMP_LTZ(3) with a watermark) is the record's event time. */
  readonly rowtime: boolean;
  /** The key column `__key` (keyBy's key) and its type, or null. */
  readonly key: SqlType | null;
}

const RT = id('__rt');
const KEY = id('__key');

type Expr = { $expr: { params: string[]; fieldsOf: string | null; ast: any }; source: string };
type Params = Record<string, any>;

export type SqlExport = { readonly ok: true; readonly script: string } | { readonly ok: false; readonly problems: FlinkProblem[] };

export interface SqlExportOptions {
  /** Sample records per source node id (the first lines of a file, or `--sample` for Kafka): their column types. */
  readonly samples: Readonly<Record<string, readonly unknown[]>>;
}

const NO_SQL: Readonly<Record<string, string>> = {
  'source.generator': 'the clickstream generator has no SQL table: Flink\'s `datagen` connector makes random rows of its own, not the generator\'s sessions for the same seed',
  flatMap: 'flatMap runs JavaScript `code`, which SQL cannot run (the job jar runs it in GraalJS)',
  process: 'process runs JavaScript `code` with keyed state and timers, which SQL cannot run (the job jar runs it in GraalJS)',
  broadcast: 'broadcast runs JavaScript `code` over broadcast state, which SQL cannot run',
  connect: 'connect runs JavaScript `code` over two inputs, which SQL cannot run',
  'lookup.redis': 'lookup.redis needs a Redis lookup connector, which Flink SQL does not ship',
  infer: 'infer calls a model; only `openai` has a SQL form (ML_PREDICT), and it is not written yet',
  'join.window': 'join.window (a window join TVF) is not written yet',
  'sink.redis': 'Redis has no standard Flink SQL connector',
  'sink.http': 'HTTP webhooks have no standard Flink SQL connector',
  'sink.email': 'e-mail has no standard Flink SQL connector',
};

function scopeOf(e: Expr, bindings: Record<string, Binding>): Scope {
  return { bindings, fieldsOf: e.$expr.fieldsOf };
}

const rowOf = (r: Relation, qualifier: string | null = null): Binding => ({ kind: 'row', qualifier, columns: r.columns });

/** The hidden columns a view carries along: event time and key. */
function carried(r: Relation, q = ''): string[] {
  return [...(r.rowtime ? [`${q}${RT}`] : []), ...(r.key !== null ? [`${q}${KEY}`] : [])];
}

function selectList(cols: Map<string, Typed>): { list: string[]; columns: Column[] } {
  const list: string[] = [];
  const columns: Column[] = [];
  for (const [name, t] of cols) {
    list.push(`${t.sql} AS ${id(name)}`);
    columns.push({ name, type: t.type === 'NULL' ? 'STRING' : t.type });
  }
  return { list, columns };
}

const columnDecl = (c: Column): string => `  ${id(c.name)} ${c.type === 'NULL' ? 'STRING' : c.type}`;

function sampledColumns(sample: readonly unknown[] | undefined): Column[] {
  if (!sample || sample.length === 0) unfit('no sample records to take the column types from');
  const { columns, problems } = inferColumns(sample!);
  if (problems.length > 0) unfit(problems.join('; '));
  return columns;
}

function eventTimeDecl(p: Params, columns: readonly Column[]): string[] {
  if (!p.eventTime) return [];
  const field = p.eventTime.field as string;
  const c = columns.find((x) => x.name === field);
  if (!c) unfit(`eventTime.field '${field}' is not a column of the sample`);
  if (c!.type !== 'BIGINT') unfit(`eventTime.field '${field}' is ${c!.type}: only epoch milliseconds (BIGINT) are written (TO_TIMESTAMP_LTZ(${field}, 3))`);
  // Tributary's watermark is max timestamp − maxOutOfOrderness − 1 ms (Flink's
  // BoundedOutOfOrdernessWatermarks); a SQL WATERMARK is the expression itself, so the 1 ms is added.
  return [`  ${RT} AS TO_TIMESTAMP_LTZ(${id(field)}, 3)`, `  WATERMARK FOR ${RT} AS ${RT} - ${interval((p.eventTime.maxOutOfOrderness as number) + 1)}`];
}

function withClause(opts: Record<string, string>): string {
  return `WITH (\n${Object.entries(opts).map(([k, v]) => `  ${str(k)} = ${str(v)}`).join(',\n')}\n)`;
}

const hasEnvRef = (v: unknown): boolean => JSON.stringify(v ?? null).includes('${');

function kafkaCommon(p: Params): Record<string, string> {
  if (hasEnvRef(p.brokers)) unfit('brokers hold an environment reference (${…}); a SQL script has no such substitution: write the address');
  if (p.ssl || p.sasl) unfit('TLS and SASL settings are not written yet (properties.security.* would carry them)');
  const brokers = Array.isArray(p.brokers) ? (p.brokers as string[]).join(',') : (p.brokers as string);
  return { connector: 'kafka', 'properties.bootstrap.servers': brokers };
}

/** Translate the pipeline; every node that cannot be written is named. */
export function exportFlinkSql(pipeline: Pipeline, compiled: CompiledPipeline, opts: SqlExportOptions): SqlExport {
  const problems: FlinkProblem[] = [];
  // Whether some window sums or averages DOUBLEs (windowView says so): see the header below.
  let doubleSums = false;
  const byId = new Map(compiled.nodes.map((n) => [n.id, n]));
  const inEdges = (nodeId: string) => compiled.edges.filter((e) => e.to === nodeId);
  for (const e of compiled.edges) {
    if (e.fromPort !== 'out') problems.push({ nodeId: e.from, reason: `its '${e.fromPort}' output has an edge: SQL has no side outputs (errors, late records and timeouts are dropped or fail the job)` });
  }
  const order = topological(compiled);
  const rel = new Map<string, Relation>();
  const ddl: string[] = [];
  const views: string[] = [];
  const inserts: string[] = [];
  for (const nodeId of order) {
    const n = byId.get(nodeId)!;
    const p = n.params as Params;
    try {
      const why = NO_SQL[n.type];
      if (why !== undefined) unfit(why);
      const ins = inEdges(nodeId).map((e) => ({ port: e.toPort, r: rel.get(e.from) ?? unfit(`its input '${e.from}' cannot be written`) }));
      const one = (): Relation => {
        if (ins.length !== 1) unfit(`${ins.length} edges into one input: join them with a union first`);
        return ins[0]!.r;
      };
      const view = (r: Relation, body: string): void => {
        views.push(`CREATE TEMPORARY VIEW ${id(nodeId)} AS\n${body};`);
        rel.set(nodeId, r);
      };
      if ('code' in p && p.code !== undefined) unfit('it runs JavaScript `code`, which SQL cannot run');
      switch (n.type) {
        case 'source.file': {
          if (p.format !== 'jsonl') unfit('CSV: the embedded reader types each value by its look, a SQL csv table types a column once');
          const columns = sampledColumns(opts.samples[nodeId]);
          ddl.push(`CREATE TABLE ${id(nodeId)} (\n${[...columns.map(columnDecl), ...eventTimeDecl(p, columns)].join(',\n')}\n) ${withClause({ connector: 'filesystem', path: p.path as string, format: 'json' })};`);
          rel.set(nodeId, { name: nodeId, columns, rowtime: p.eventTime !== undefined, key: null });
          break;
        }
        case 'source.kafka': {
          if (p.metadata !== false) unfit('metadata: true adds a `kafka` object (topic, partition, offset, …) to each record; set metadata: false, or it would need metadata columns built into a ROW');
          const columns = p.format === 'string' ? [{ name: 'value', type: 'STRING' as const }] : sampledColumns(opts.samples[nodeId]);
          const topics = Array.isArray(p.topic) ? (p.topic as string[]).join(';') : (p.topic as string);
          const start: Record<string, string> =
            p.startFrom === 'earliest' ? { 'scan.startup.mode': 'earliest-offset' }
            : p.startFrom === 'latest' ? { 'scan.startup.mode': 'latest-offset' }
            : p.startFrom === 'timestamp' ? { 'scan.startup.mode': 'timestamp', 'scan.startup.timestamp-millis': String(typeof p.startTimestamp === 'number' ? p.startTimestamp : Date.parse(p.startTimestamp as string)) }
            : { 'scan.startup.mode': 'group-offsets', 'properties.auto.offset.reset': 'earliest' };
          const options: Record<string, string> = {
            ...kafkaCommon(p),
            topic: topics,
            'properties.group.id': (p.groupId as string | undefined) ?? `tributary-${nodeId}`,
            'properties.isolation.level': p.isolationLevel as string,
            ...start,
            ...(p.bounded ? { 'scan.bounded.mode': 'latest-offset' } : {}),
            ...(p.eventTime?.idleTimeout !== undefined ? { 'scan.watermark.idle-timeout': `${p.eventTime.idleTimeout as number} ms` } : {}),
            format: p.format === 'string' ? 'raw' : 'json',
          };
          ddl.push(`CREATE TABLE ${id(nodeId)} (\n${[...columns.map(columnDecl), ...eventTimeDecl(p, columns)].join(',\n')}\n) ${withClause(options)};`);
          rel.set(nodeId, { name: nodeId, columns, rowtime: p.eventTime !== undefined, key: null });
          break;
        }
        case 'filter': {
          const r = one();
          const cond = condition(p.condition.$expr.ast, scopeOf(p.condition as Expr, { event: rowOf(r) }));
          view({ ...r, name: nodeId }, `SELECT ${[...r.columns.map((c) => id(c.name)), ...carried(r)].join(', ')}\nFROM ${id(r.name)}\nWHERE ${cond}`);
          break;
        }
        case 'map': {
          const r = one();
          const cols = record(p.expression.$expr.ast, scopeOf(p.expression as Expr, { event: rowOf(r) }));
          const { list, columns } = selectList(cols);
          view({ name: nodeId, columns, rowtime: r.rowtime, key: r.key }, `SELECT ${[...list, ...carried(r)].join(', ')}\nFROM ${id(r.name)}`);
          break;
        }
        case 'keyBy': {
          const r = one();
          const k = translate(p.key.$expr.ast, scopeOf(p.key as Expr, { event: rowOf(r) }));
          if (k.type === 'NULL') unfit('the key is always null');
          view({ ...r, name: nodeId, key: k.type }, `SELECT ${[...r.columns.map((c) => id(c.name)), ...(r.rowtime ? [RT] : []), `${k.sql} AS ${KEY}`].join(', ')}\nFROM ${id(r.name)}`);
          break;
        }
        case 'union': {
          if (ins.length === 0) unfit('no inputs');
          const first = ins[0]!.r;
          const sig = (r: Relation) => r.columns.map((c) => `${c.name}:${c.type}`).join(',');
          for (const { r } of ins) if (sig(r) !== sig(first)) unfit(`inputs '${first.name}' and '${r.name}' have different columns (${sig(first)} / ${sig(r)}): UNION ALL needs the same`);
          const rowtime = ins.every(({ r }) => r.rowtime);
          const key = ins.every(({ r }) => r.key !== null && r.key === first.key) ? first.key : null;
          const out: Relation = { name: nodeId, columns: first.columns, rowtime, key };
          view(out, ins.map(({ r }) => `SELECT ${[...r.columns.map((c) => id(c.name)), ...carried(out)].join(', ')} FROM ${id(r.name)}`).join('\nUNION ALL\n'));
          break;
        }
        case 'window': {
          const w = windowView(nodeId, p, one());
          view(...w.view);
          doubleSums ||= w.doubleSums;
          break;
        }
        case 'join.interval':
          view(...intervalJoinView(nodeId, p, ins));
          break;
        case 'cep':
          view(...cepView(nodeId, p, one()));
          break;
        case 'sink.file':
        case 'sink.console':
        case 'sink.kafka': {
          if (ins.length === 0) unfit('no inputs');
          const first = ins[0]!.r;
          for (const { r } of ins) if (r.columns.map((c) => `${c.name}:${c.type}`).join() !== first.columns.map((c) => `${c.name}:${c.type}`).join()) unfit(`inputs '${first.name}' and '${r.name}' have different columns: one SQL table has one schema`);
          let options: Record<string, string>;
          if (n.type === 'sink.file') options = { connector: 'filesystem', path: p.path as string, format: 'json' };
          else if (n.type === 'sink.console') {
            if (p.format === 'table') unfit('format: table has no SQL form (the print connector writes one row a line)');
            options = { connector: 'print' };
          } else {
            if (p.key !== undefined || p.value !== undefined || p.headers !== undefined) unfit('key, value and headers expressions are not written yet (key.fields and a value projection would carry them)');
            options = { ...kafkaCommon(p), topic: p.topic as string, format: 'json', 'sink.delivery-guarantee': p.deliveryGuarantee as string };
            if (p.deliveryGuarantee === 'exactly-once') options['sink.transactional-id-prefix'] = (p.transactionalIdPrefix as string | undefined) ?? `tributary-${nodeId}`;
          }
          ddl.push(`CREATE TABLE ${id(nodeId)} (\n${first.columns.map(columnDecl).join(',\n')}\n) ${withClause(options)};`);
          for (const { r } of ins) inserts.push(`INSERT INTO ${id(nodeId)} SELECT ${r.columns.map((c) => id(c.name)).join(', ')} FROM ${id(r.name)};`);
          break;
        }
        default:
          unfit(`${n.type} has no SQL form`);
      }
    } catch (err) {
      if (!(err instanceof Unfit)) throw err;
      // A node after one that cannot be written is not named again: its input's reason covers it.
      if (!err.message.startsWith('its input ')) problems.push({ nodeId, reason: err.message });
    }
  }
  if (problems.length > 0) return { ok: false, problems: dedupe(problems) };
  if (inserts.length === 0) return { ok: false, problems: [{ nodeId: compiled.nodes[0]?.id ?? '', reason: 'the pipeline has no sink' }] };
  const header = [
    // The name is free text: a line break in it would end the comment and start a statement.
    `-- Flink SQL for the pipeline ${JSON.stringify(pipeline.name)}, written by \`tributary flink export\`.`,
    '-- Run with Flink\'s SQL client (sql-client.sh -f pipeline.sql) with the json, filesystem and Kafka connectors on its classpath.',
    '-- Window bounds and date formats are read in UTC, as the pipeline defines them.',
    "SET 'table.local-time-zone' = 'UTC';",
    ...(doubleSums
      ? [
          '-- Sums of DOUBLE values are added in arrival order, as the pipeline adds them: with two phases,',
          '-- partial sums are added and the last bits may differ. Remove it for speed if they may.',
          "SET 'table.optimizer.agg-phase-strategy' = 'ONE_PHASE';",
        ]
      : []),
  ];
  return { ok: true, script: [...header, '', ...ddl, '', ...views, '', 'EXECUTE STATEMENT SET BEGIN', ...inserts, 'END;', ''].join('\n') };
}

function dedupe(ps: FlinkProblem[]): FlinkProblem[] {
  const seen = new Set<string>();
  return ps.filter((p) => {
    const k = `${p.nodeId}\0${p.reason}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function topological(c: CompiledPipeline): string[] {
  const indeg = new Map(c.nodes.map((n) => [n.id, 0]));
  for (const e of c.edges) indeg.set(e.to, (indeg.get(e.to) ?? 0) + 1);
  const ready = c.nodes.filter((n) => indeg.get(n.id) === 0).map((n) => n.id);
  const out: string[] = [];
  while (ready.length > 0) {
    const idn = ready.shift()!;
    out.push(idn);
    for (const e of c.edges.filter((x) => x.from === idn)) {
      const d = indeg.get(e.to)! - 1;
      indeg.set(e.to, d);
      if (d === 0) ready.push(e.to);
    }
  }
  return out;
}

const needEventTime = (r: Relation, what: string): void => {
  if (!r.rowtime) unfit(`${what} needs event time, and its input '${r.name}' has none as a SQL time attribute (a source without eventTime, or after a join)`);
};

type ViewArgs = [Relation, string];

/**
 * A window's view, and whether it sums or averages DOUBLE values. Flink SQL splits a window
 * aggregation into a local and a global phase (table.optimizer.agg-phase-strategy AUTO), so a sum
 * is a sum of partial sums and its last bits differ from the embedded runtime's (and the
 * DataStream job's) addition in arrival order. ONE_PHASE adds in arrival order: the same doubles
 * (checked on Flink).
 */
function windowView(nodeId: string, p: Params, r: Relation): { view: ViewArgs; doubleSums: boolean } {
  let doubleSums = false;
  if (p.time !== 'event') unfit('processing-time windows: at the end of a bounded input the embedded runtime fires them, Flink SQL does not');
  needEventTime(r, 'an event-time window');
  if ((p.allowedLateness as number) > 0) unfit('allowedLateness: window TVFs have no allowed lateness (late firings)');
  const a = p.assigner as Params;
  const table = `TABLE ${id(r.name)}`;
  let tvf: string;
  const offset = a.offset ? `, ${interval(a.offset as number)}` : '';
  if (a.kind === 'tumbling') tvf = `TUMBLE(${table}, DESCRIPTOR(${RT}), ${interval(a.size as number)}${offset})`;
  else if (a.kind === 'sliding') tvf = `HOP(${table}, DESCRIPTOR(${RT}), ${interval(a.slide as number)}, ${interval(a.size as number)}${offset})`;
  else if (a.kind === 'session') tvf = `SESSION(${r.key !== null ? `${table} PARTITION BY ${KEY}` : table}, DESCRIPTOR(${RT}), ${interval(a.gap as number)})`;
  else return unfit('count windows (GlobalWindows with a CountTrigger) have no window TVF');
  const aggs: string[] = [];
  const columns: Column[] = [{ name: 'key', type: r.key ?? 'STRING' }, { name: 'windowStart', type: 'BIGINT' }, { name: 'windowEnd', type: 'BIGINT' }];
  for (const [name, agg] of Object.entries(p.aggregates as Record<string, { fn: string; field?: string }>)) {
    const f = agg.field;
    const col = f === undefined ? null : (r.columns.find((c) => c.name === f) ?? unfit(`aggregate '${name}': field '${f}' is not a column of the input (nested fields are not declared)`));
    const need = (): Column => col ?? unfit(`aggregate '${name}': ${agg.fn} of the whole record has no SQL form`);
    const numericCol = (): Column => {
      const c = need();
      if (c.type !== 'BIGINT' && c.type !== 'DOUBLE') unfit(`aggregate '${name}': ${agg.fn} of ${c.type} column '${c.name}'`);
      return c;
    };
    let sql: string;
    let type: SqlType;
    switch (agg.fn) {
      case 'count':
        [sql, type] = [col ? `COUNT(${id(col.name)})` : 'COUNT(*)', 'BIGINT'];
        break;
      case 'sum': {
        const c = numericCol();
        if (c.type === 'DOUBLE') doubleSums = true;
        [sql, type] = [`SUM(${id(c.name)})`, c.type];
        break;
      }
      case 'min':
      case 'max': {
        const c = need();
        [sql, type] = [`${agg.fn.toUpperCase()}(${id(c.name)})`, c.type];
        break;
      }
      case 'avg':
        // AVG over BIGINT is integer division in SQL; the runtime's mean is a double.
        doubleSums = true;
        [sql, type] = [`AVG(CAST(${id(numericCol().name)} AS DOUBLE))`, 'DOUBLE'];
        break;
      case 'first':
      case 'last': {
        // Both skip nulls and follow arrival order (FIRST_VALUE / LAST_VALUE).
        const c = need();
        [sql, type] = [`${agg.fn === 'first' ? 'FIRST_VALUE' : 'LAST_VALUE'}(${id(c.name)})`, c.type];
        break;
      }
      case 'countDistinct':
        [sql, type] = [`COUNT(DISTINCT ${id(need().name)})`, 'BIGINT'];
        break;
      default:
        return unfit(`aggregate '${name}': ${agg.fn} has no SQL aggregate that gives the same result (${agg.fn.startsWith('approx') ? 'the sketch must be the embedded runtime\'s to agree' : 'a list in a column needs an ARRAY type and an order SQL does not promise'})`);
    }
    aggs.push(`${sql} AS ${id(name)}`);
    columns.push({ name, type });
  }
  const keySql = r.key !== null ? KEY : 'CAST(NULL AS STRING)';
  const body = [
    `SELECT ${[`${keySql} AS ${id('key')}`, `${epochMillis('window_start')} AS ${id('windowStart')}`, `${epochMillis('window_end')} AS ${id('windowEnd')}`, ...aggs, `window_time AS ${RT}`].join(', ')}`,
    `FROM TABLE(${tvf})`,
    `GROUP BY ${['window_start', 'window_end', 'window_time', ...(r.key !== null ? [KEY] : [])].join(', ')}`,
  ].join('\n');
  return { view: [{ name: nodeId, columns, rowtime: true, key: null }, body], doubleSums };
}

function intervalJoinView(nodeId: string, p: Params, ins: { port: string; r: Relation }[]): ViewArgs {
  const left = ins.filter((i) => i.port === 'left');
  const right = ins.filter((i) => i.port === 'right');
  if (left.length !== 1 || right.length !== 1) unfit('one edge into each of left and right is written (union the inputs first)');
  const l = left[0]!.r;
  const rr = right[0]!.r;
  needEventTime(l, 'join.interval');
  needEventTime(rr, 'join.interval');
  if (l.key === null || rr.key === null) unfit('both inputs must be keyed');
  if (l.key !== rr.key) unfit(`the keys differ in type (${l.key} / ${rr.key}): === never matches them, SQL would compare after a cast`);
  const lo = p.lowerBound as number;
  const hi = p.upperBound as number;
  const bound = (ms: number) => (ms < 0 ? `l.${RT} - ${interval(-ms)}` : `l.${RT} + ${interval(ms)}`);
  const cols = record(p.output.$expr.ast, scopeOf(p.output as Expr, { left: rowOf(l, 'l'), right: rowOf(rr, 'r'), key: { kind: 'value', value: { sql: `l.${KEY}`, type: l.key as SqlType } } }));
  const { list, columns } = selectList(cols);
  // IntervalJoinOperator: left.ts + lower ≤ right.ts ≤ left.ts + upper, per key; Flink SQL's
  // interval join takes the same bounds on the two time attributes.
  const body = [
    `SELECT ${list.join(', ')}`,
    `FROM ${id(l.name)} l, ${id(rr.name)} r`,
    `WHERE l.${KEY} = r.${KEY}`,
    `  AND r.${RT} ${p.lowerBoundExclusive ? '>' : '>='} ${bound(lo)}`,
    `  AND r.${RT} ${p.upperBoundExclusive ? '<' : '<='} ${bound(hi)}`,
  ].join('\n');
  // The joined record's time (the later of the two) is no time attribute in SQL.
  return [{ name: nodeId, columns, rowtime: false, key: null }, body];
}

function cepView(nodeId: string, p: Params, r: Relation): ViewArgs {
  if (p.time !== 'event') unfit('processing-time cep is not written (MATCH_RECOGNIZE orders by an event-time attribute here)');
  needEventTime(r, 'cep');
  const steps = p.pattern as Params[];
  for (const s of steps) {
    if (s.negated) unfit(`step '${s.name}': MATCH_RECOGNIZE cannot express absence (${s.contiguity === 'strict' ? 'notNext' : 'notFollowedBy'}); the job jar runs it with Flink CEP`);
    if (s.quantifier || s.optional || s.greedy || s.until) unfit(`step '${s.name}': quantifiers, optional, greedy and until are not written yet`);
  }
  steps.slice(1).forEach((s) => {
    if (s.contiguity === 'any') unfit(`step '${s.name}': contiguity any (followedByAny) gives one match per choice; MATCH_RECOGNIZE gives one`);
  });
  const skip = (p.afterMatch as Params).strategy as string;
  if (skip !== 'noSkip' && skip !== 'skipPastLastEvent') unfit(`afterMatch ${skip} is not written yet`);
  if (p.select === undefined) unfit('without select the match is {key, match} with lists of records, which has no column form: give a select');
  const names = new Set(steps.map((s) => s.name as string));
  const defines: string[] = [];
  const pattern: string[] = [];
  steps.forEach((s, i) => {
    const w = s.where as Expr;
    if (/\bmatch\b/.test(w.source)) unfit(`step '${s.name}': a condition over \`match\` (iterative condition) is not written yet`);
    // followedBy (relaxed contiguity) skips only the events that do not match the step: the
    // first matching event is taken and the partial match cannot wait for a later one (Flink
    // CEP's NFA ignores an event on a relaxed edge only when the step's condition rejects it;
    // "Contiguity within looping patterns", Flink CEP docs). So the gap is a run of rows the
    // step's condition rejects, not any rows: with `a any*? b c`, an `a b x b c` would match
    // on the second b where CEP's partial match dies at x.
    if (i > 0 && s.contiguity === 'relaxed') {
      const gap = id(`__gap${i}`);
      pattern.push(`${gap}*`);
      defines.push(`  ${gap} AS (${condition(w.$expr.ast, scopeOf(w, { event: rowOf(r, gap) }))}) IS NOT TRUE`);
    }
    pattern.push(id(s.name as string));
    defines.push(`  ${id(s.name as string)} AS ${condition(w.$expr.ast, scopeOf(w, { event: rowOf(r, id(s.name as string)) }))}`);
  });
  const firstStep = id(steps[0]!.name as string);
  const keyType = r.key;
  const keyBinding: Binding = { kind: 'value', value: keyType !== null ? { sql: `FIRST(${firstStep}.${KEY})`, type: keyType } : { sql: 'CAST(NULL AS STRING)', type: 'STRING' } };
  const sel = p.select as Expr;
  const cols = record(sel.$expr.ast, scopeOf(sel, { match: { kind: 'match', columns: r.columns, steps: names }, key: keyBinding }));
  const { list, columns } = selectList(cols);
  const body = [
    `SELECT ${[...columns.map((c) => id(c.name)), RT].join(', ')}`,
    `FROM ${id(r.name)}`,
    'MATCH_RECOGNIZE (',
    ...(r.key !== null ? [`  PARTITION BY ${KEY}`] : []),
    `  ORDER BY ${RT}`,
    `  MEASURES ${[...list, `MATCH_ROWTIME() AS ${RT}`].join(', ')}`,
    '  ONE ROW PER MATCH',
    `  AFTER MATCH ${skip === 'noSkip' ? 'SKIP TO NEXT ROW' : 'SKIP PAST LAST ROW'}`,
    `  PATTERN (${pattern.join(' ')})${p.within !== undefined ? ` WITHIN ${interval(p.within as number)}` : ''}`,
    '  DEFINE',
    defines.join(',\n'),
    ')',
  ].join('\n');
  return [{ name: nodeId, columns, rowtime: true, key: null }, body];
}

export { inferColumns } from './sql.js';
