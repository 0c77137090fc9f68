// `tributary flink export`'s Flink SQL: its structure for each kind of node, the nodes it refuses
// (named, with the reason, and no SQL), and a real run of the script on Flink (a streaming
// TableEnvironment over bounded files) whose output equals the embedded runtime's for the same
// pipeline: filter + map, a tumbling window per key, an interval join and a MATCH_RECOGNIZE.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileForFlink } from '../../runtime/format/flink.js';
import { exportFlinkSql } from '../../runtime/format/flink-sql/index.js';
import { runCli } from '../support/cli.js';
import { runEmbedded, validated } from '../support/flink.js';
import { runSql, sqlRunnerClasspath } from '../support/flink-sql.js';
import type { PipelineDoc } from '../support/run.js';

type Doc = PipelineDoc & { name?: string };

/** Deterministic clickstream-like events: distinct timestamps, disorder below 1 s, 2 s allowed. */
function events(n: number, seed: number): Record<string, unknown>[] {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const types = ['VIEW', 'VIEW', 'VIEW', 'ADD', 'BUY'];
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const type = types[Math.floor(rnd() * types.length)];
    out.push({
      userId: `u${Math.floor(rnd() * 7)}`,
      // Every 13th record has no type: JavaScript's undefined against SQL's NULL.
      ...(i % 13 === 5 ? {} : { type }),
      // Whole cents, so sums in arrival order are the same doubles on both sides.
      price: Math.round(rnd() * 20000) / 100 + 0.01,
      qty: 1 + Math.floor(rnd() * 4),
      ts: 1_767_225_600_000 + i * 1000 + Math.floor(rnd() * 900),
    });
  }
  return out;
}

function pipeline(dir: string): Doc {
  return {
    // A line break in the name must not end the script's header comment.
    name: "sql-export\nDROP TABLE src;",
    nodes: [
      { id: 'src', type: 'source.file', params: { path: join(dir, 'events.jsonl'), eventTime: { field: 'ts', maxOutOfOrderness: '2s' } } },
      { id: 'big', type: 'filter', params: { condition: "type != 'VIEW' && price * qty >= 100" } },
      { id: 'shape', type: 'map', params: { expression: "{ userId, kind: lower(type), total: price * qty, each: price / qty, whole: round(price), low: floor(price / qty), tag: `${userId}-${qty}-${type}`, afterB: !(type < 'B'), \"o'k `q`\": qty, ts }" } },
      { id: 'byUser', type: 'keyBy', params: { key: 'userId' } },
      { id: 'perMinute', type: 'window', params: { assigner: { kind: 'tumbling', size: '1m' }, aggregates: { n: { fn: 'count' }, revenue: { fn: 'sum', field: 'price' }, items: { fn: 'sum', field: 'qty' }, top: { fn: 'max', field: 'price' } } } },
      { id: 'views', type: 'filter', params: { condition: "type == 'VIEW'" } },
      { id: 'viewsByUser', type: 'keyBy', params: { key: 'userId' } },
      { id: 'buys', type: 'filter', params: { condition: "type == 'BUY'" } },
      { id: 'buysByUser', type: 'keyBy', params: { key: 'userId' } },
      { id: 'join', type: 'join.interval', params: { lowerBound: '-10s', upperBound: '5s', output: '{ userId: key, viewTs: left.ts, buyTs: right.ts, paid: right.price * right.qty }' } },
      {
        id: 'addThenBuy',
        type: 'cep',
        params: {
          pattern: [
            { name: 'add', where: "type == 'ADD'" },
            { name: 'buy', where: "type == 'BUY'" },
          ],
          within: '30s',
          select: '{ userId: key, addTs: match.add[0].ts, buyTs: match.buy[0].ts, addPrice: match.add[0].price }',
        },
      },
      {
        // followedBy then next: a partial match (add, buy) dies when the event after its buy is no
        // view; it does not wait for a later buy (the relaxed gap skips only non-buy events).
        id: 'addBuyView',
        type: 'cep',
        params: {
          pattern: [
            { name: 'add', where: "type == 'ADD'" },
            { name: 'buy', where: "type == 'BUY'" },
            { name: 'view', where: "type == 'VIEW'", contiguity: 'strict' },
          ],
          within: '1m',
          select: '{ userId: key, addTs: match.add[0].ts, buyTs: match.buy[0].ts, viewTs: match.view[0].ts }',
        },
      },
      { id: 'outCep3', type: 'sink.file', params: { path: 'out/cep3.jsonl' } },
      { id: 'outMap', type: 'sink.file', params: { path: 'out/map.jsonl' } },
      { id: 'outWindow', type: 'sink.file', params: { path: 'out/window.jsonl' } },
      { id: 'outJoin', type: 'sink.file', params: { path: 'out/join.jsonl' } },
      { id: 'outCep', type: 'sink.file', params: { path: 'out/cep.jsonl' } },
    ],
    edges: [
      { from: 'src', to: 'big' },
      { from: 'big', to: 'shape' },
      { from: 'shape', to: 'outMap' },
      { from: 'src', to: 'byUser' },
      { from: 'byUser', to: 'perMinute' },
      { from: 'perMinute', to: 'outWindow' },
      { from: 'src', to: 'views' },
      { from: 'views', to: 'viewsByUser' },
      { from: 'src', to: 'buys' },
      { from: 'buys', to: 'buysByUser' },
      { from: 'viewsByUser', to: 'join', toPort: 'left' },
      { from: 'buysByUser', to: 'join', toPort: 'right' },
      { from: 'join', to: 'outJoin' },
      { from: 'byUser', to: 'addThenBuy' },
      { from: 'addThenBuy', to: 'outCep' },
      { from: 'byUser', to: 'addBuyView' },
      { from: 'addBuyView', to: 'outCep3' },
    ],
  } as Doc;
}

function sqlOf(doc: Doc, base: string, samples: Record<string, unknown[]>) {
  const p = validated(doc);
  return exportFlinkSql(p, compileForFlink(p, (x) => (x.startsWith('/') ? x : join(base, x))), { samples });
}

/** A record with its keys sorted, so the two engines' lines compare as text. */
const canonical = (line: string): string => {
  const o = JSON.parse(line) as Record<string, unknown>;
  return JSON.stringify(Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]])));
};


function readOut(path: string): string[] {
  if (!existsSync(path)) return [];
  const texts: string[] = [];
  try {
    for (const f of readdirSync(path)) if (!f.startsWith('.')) texts.push(readFileSync(join(path, f), 'utf8'));
  } catch {
    texts.push(readFileSync(path, 'utf8'));
  }
  return texts.join('').split('\n').filter((l) => l !== '').map(canonical).sort();
}

describe('Flink SQL export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-sql-export-'));
  const input = events(2000, 17);
  writeFileSync(join(dir, 'events.jsonl'), input.map((e) => JSON.stringify(e)).join('\n') + '\n');

  it('writes each node as its SQL form', () => {
    const r = sqlOf(pipeline(dir), dir, { src: input });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const sql = (r as { script: string }).script;
    // Source: columns typed from the sample, event time from `ts` with the watermark 2 s + 1 ms behind.
    expect(sql).toMatch(/CREATE TABLE `src` \(\n {2}`userId` STRING,\n {2}`type` STRING,\n {2}`price` DOUBLE,\n {2}`qty` BIGINT,\n {2}`ts` BIGINT,/);
    expect(sql).toContain("WATERMARK FOR `__rt` AS `__rt` - INTERVAL '0 00:00:02.001' DAY TO SECOND(3)");
    expect(sql).toContain("'connector' = 'filesystem'");
    // filter + map: WHERE from the condition, helpers through their declared SQL names.
    // Equality is two-valued (a missing type is not 'VIEW'), comparisons false on NULL as on undefined.
    expect(sql).toContain("WHERE ((`type` IS DISTINCT FROM 'VIEW') AND COALESCE((`price` * `qty`) >= 100, FALSE))");
    expect(sql).toContain("(COALESCE(`type` < 'B', FALSE) IS NOT TRUE) AS `afterB`");
    expect(sql).toContain("CONCAT(COALESCE(`userId`, 'undefined'), '-', COALESCE(CAST(`qty` AS STRING), 'undefined'), '-', COALESCE(`type`, 'undefined')) AS `tag`");
    // A field name with quotes: back quotes doubled; the pipeline name kept on its comment line.
    expect(sql).toContain("`qty` AS `o'k ``q```");
    expect(sql).toContain('-- Flink SQL for the pipeline "sql-export\\nDROP TABLE src;"');
    expect(sql).toContain('LOWER(`type`) AS `kind`');
    expect(sql).toContain('(`price` / CAST(`qty` AS DOUBLE)) AS `each`');
    expect(sql).toContain('ROUND(`price`) AS `whole`');
    // keyBy + window: a tumbling window TVF grouped by the window and the key.
    expect(sql).toContain("FROM TABLE(TUMBLE(TABLE `byUser`, DESCRIPTOR(`__rt`), INTERVAL '0 00:01:00.000' DAY TO SECOND(3)))");
    expect(sql).toContain('GROUP BY window_start, window_end, window_time, `__key`');
    // interval join: both bounds on the time attributes, per key.
    expect(sql).toContain("AND r.`__rt` >= l.`__rt` - INTERVAL '0 00:00:10.000' DAY TO SECOND(3)");
    expect(sql).toContain("AND r.`__rt` <= l.`__rt` + INTERVAL '0 00:00:05.000' DAY TO SECOND(3)");
    // cep: MATCH_RECOGNIZE, relaxed contiguity as a reluctant gap, WITHIN from `within`.
    expect(sql).toContain('PATTERN (`add` `__gap1`* `buy`) WITHIN');
    expect(sql).toContain("`__gap1` AS ((`__gap1`.`type` IS NOT DISTINCT FROM 'BUY')) IS NOT TRUE");
    expect(sql).toContain('PATTERN (`add` `__gap1`* `buy` `view`) WITHIN');
    expect(sql).toContain("`add` AS (`add`.`type` IS NOT DISTINCT FROM 'ADD')");
    expect(sql).toContain('FIRST(`add`.`price`, 0) AS `addPrice`');
    // DOUBLE sums in arrival order (see the on-Flink test).
    expect(sql).toContain("SET 'table.optimizer.agg-phase-strategy' = 'ONE_PHASE';");
    expect(sql).toMatch(/EXECUTE STATEMENT SET BEGIN\n(INSERT INTO .*\n){5}END;/);
  });

  it('sliding, session and union have their SQL forms', () => {
    const doc = pipeline(dir);
    doc.nodes = [
      ...doc.nodes.filter((n) => n.id === 'src' || n.id === 'views' || n.id === 'buys'),
      { id: 'both', type: 'union', params: {} },
      { id: 'k', type: 'keyBy', params: { key: 'userId' } },
      { id: 'hop', type: 'window', params: { assigner: { kind: 'sliding', size: '1m', slide: '10s' }, aggregates: { avg: { fn: 'avg', field: 'qty' } } } },
      { id: 'sess', type: 'window', params: { assigner: { kind: 'session', gap: '5s' }, aggregates: { users: { fn: 'countDistinct', field: 'type' } } } },
      { id: 'o1', type: 'sink.file', params: { path: 'o1.jsonl' } },
      { id: 'o2', type: 'sink.console', params: {} },
    ];
    doc.edges = [
      { from: 'src', to: 'views' },
      { from: 'src', to: 'buys' },
      { from: 'views', to: 'both' },
      { from: 'buys', to: 'both' },
      { from: 'both', to: 'k' },
      { from: 'k', to: 'hop' },
      { from: 'k', to: 'sess' },
      { from: 'hop', to: 'o1' },
      { from: 'sess', to: 'o2' },
    ];
    const r = sqlOf(doc, dir, { src: input });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const sql = (r as { script: string }).script;
    expect(sql).toMatch(/FROM `views`\nUNION ALL\nSELECT .* FROM `buys`/);
    expect(sql).toContain("HOP(TABLE `k`, DESCRIPTOR(`__rt`), INTERVAL '0 00:00:10.000' DAY TO SECOND(3), INTERVAL '0 00:01:00.000' DAY TO SECOND(3))");
    expect(sql).toContain('AVG(CAST(`qty` AS DOUBLE))');
    expect(sql).toContain("SESSION(TABLE `k` PARTITION BY `__key`, DESCRIPTOR(`__rt`), INTERVAL '0 00:00:05.000' DAY TO SECOND(3))");
    expect(sql).toContain('COUNT(DISTINCT `type`)');
    expect(sql).toContain("'connector' = 'print'");
  });

  it('names every node it cannot write faithfully, with the reason, and writes no SQL', () => {
    const doc = pipeline(dir);
    const at = (nodeId: string, params: Record<string, unknown>) => {
      doc.nodes = doc.nodes.map((n) => (n.id === nodeId ? { ...n, params: { ...n.params, ...params } } : n));
    };
    at('perMinute', { allowedLateness: '5s', aggregates: { users: { fn: 'approxCountDistinct', field: 'userId' } } });
    at('addThenBuy', { pattern: [{ name: 'add', where: "type == 'ADD'" }, { name: 'buy', where: "type == 'BUY'", negated: true }] });
    doc.nodes.push({ id: 'gen', type: 'source.generator', params: { count: 10, rate: 0 } }, { id: 'code', type: 'map', params: { code: 'return event;' } }, { id: 'redis', type: 'sink.redis', params: { url: 'redis://127.0.0.1:6379', command: 'SET', key: 'k:{userId}', value: 'qty' } });
    doc.nodes.push({ id: 'lateOut', type: 'sink.file', params: { path: 'late.jsonl' } });
    doc.edges.push({ from: 'gen', to: 'code' }, { from: 'code', to: 'redis' }, { from: 'join', fromPort: 'late', to: 'lateOut' });
    const r = sqlOf(doc, dir, { src: input });
    expect(r.ok).toBe(false);
    const problems = (r as { problems: { nodeId: string; reason: string }[] }).problems;
    const reason = (nodeId: string) => problems.filter((p) => p.nodeId === nodeId).map((p) => p.reason).join(' | ');
    expect(reason('perMinute')).toMatch(/allowedLateness/);
    expect(reason('addThenBuy')).toMatch(/MATCH_RECOGNIZE cannot express absence \(notFollowedBy\)/);
    expect(reason('gen')).toMatch(/datagen/);
    expect(reason('redis')).toMatch(/Redis has no standard Flink SQL connector/);
    expect(reason('join')).toMatch(/'late' output has an edge: SQL has no side outputs/);
    // A node behind one that cannot be written is not named again.
    expect(reason('code')).toBe('');
    // Sketches: approxCountDistinct alone.
    const d2 = pipeline(dir);
    d2.nodes = d2.nodes.map((n) => (n.id === 'perMinute' ? { ...n, params: { ...n.params, aggregates: { u: { fn: 'approxCountDistinct', field: 'userId' } } } } : n));
    const r2 = sqlOf(d2, dir, { src: input });
    expect(JSON.stringify(r2)).toMatch(/approxCountDistinct has no SQL aggregate.*sketch/);
  });

  it('refuses expressions whose SQL would differ from JavaScript on absent values, numbers as text and unicode', () => {
    const refused = (expression: string) => {
      const doc = pipeline(dir);
      doc.nodes = doc.nodes.map((n) => (n.id === 'shape' ? { ...n, params: { expression } } : n));
      const r = sqlOf(doc, dir, { src: input });
      return r.ok ? '' : r.problems.filter((p) => p.nodeId === 'shape').map((p) => p.reason).join(' | ');
    };
    // Faithful forms are written.
    expect(refused("{ a: type == null, b: type != userId, c: qty * 2 == 4, d: type ?? 'none', e: `${type == 'x'}`, f: type >= 'B' }")).toBe('');
    // x === null is false for a missing field in JavaScript; SQL has one NULL.
    expect(refused('{ a: type === null }')).toMatch(/cannot tell a JSON null from a missing field/);
    expect(refused('{ a: type !== undefined }')).toMatch(/cannot tell a JSON null from a missing field/);
    // NaN from arithmetic over an absent value: equal to nothing, not taken by ??, 'NaN' in text.
    expect(refused('{ a: price * qty == qty }')).toMatch(/NaN equals nothing/);
    expect(refused('{ a: (price * qty) ?? 0 }')).toMatch(/NaN, which \?\? keeps/);
    expect(refused('{ a: coalesce(price * qty, 0) }')).toMatch(/coalesce of arithmetic/);
    expect(refused('{ a: `${qty + 1}` }')).toMatch(/template literal of arithmetic/);
    // Numbers and booleans as text: SQL writes 3.0 and TRUE.
    expect(refused('{ a: `${price}` }')).toMatch(/DOUBLE: SQL writes 3.0/);
    expect(refused("{ a: concat(userId, price) }")).toMatch(/DOUBLE: SQL writes 3.0/);
    expect(refused('{ a: toString(qty > 1) }')).toMatch(/'TRUE'/);
    // null as 0 in arithmetic and comparisons.
    expect(refused('{ a: qty + null }')).toMatch(/reads null as 0/);
    expect(refused('{ a: qty < null }')).toMatch(/reads null as 0/);
    // Unicode: code points in Flink, UTF-16 code units in JavaScript.
    expect(refused('{ a: length(userId) }')).toMatch(/U\+FFFF/);
    expect(refused('{ a: substring(userId, 1) }')).toMatch(/U\+FFFF/);
    expect(refused('{ a: userId < type }')).toMatch(/UTF-16 code units/);
    expect(refused("{ a: userId < '\uE000' }")).toMatch(/UTF-16 code units/);
    // Literals with quotes, back quotes, line breaks and unicode are SQL string literals.
    const doc = pipeline(dir);
    doc.nodes = doc.nodes.map((n) => (n.id === 'big' ? { ...n, params: { condition: 'type != ' + JSON.stringify("it's `x`\n\u00e9😀") } } : n));
    const r = sqlOf(doc, dir, { src: input });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect((r as { script: string }).script).toContain("WHERE (`type` IS DISTINCT FROM 'it''s `x`\n\u00e9😀')");
  });

  it('`tributary flink export` writes pipeline.sql, or names the nodes that have no SQL form', async () => {
    // An interval join: both the job jar (with its compiled pipeline) and the SQL script are written.
    const doc = pipeline(dir);
    doc.nodes = doc.nodes.filter((n) => !['big', 'shape', 'outMap', 'byUser', 'perMinute', 'outWindow', 'addThenBuy', 'outCep', 'addBuyView', 'outCep3'].includes(n.id));
    doc.edges = doc.edges.filter((e) => doc.nodes.some((n) => n.id === e.from) && doc.nodes.some((n) => n.id === e.to));
    const file = join(dir, 'join.json');
    writeFileSync(file, JSON.stringify({ format: 'tributary.pipeline/v1', ...doc }));
    const out = join(dir, 'export');
    const r = await runCli(['flink', 'export', file, '--out', out, '--trust']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/the job jar is not written|no Flink SQL written/);
    expect(existsSync(join(out, 'tributary-flink.jar'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'pipeline.flink.json'), 'utf8')).nodes.some((n: { type: string }) => n.type === 'join.interval')).toBe(true);
    const sql = readFileSync(join(out, 'pipeline.sql'), 'utf8');
    expect(sql).toContain("'path' = '" + join(dir, 'events.jsonl') + "'");
    expect(sql).toContain('FROM `viewsByUser` l, `buysByUser` r');
    // With a generator there is no SQL form (the job jar, which runs the generator, is still written): the generator named with the reason.
    const gen = { format: 'tributary.pipeline/v1', name: 'gen', nodes: [...doc.nodes, { id: 'gen', type: 'source.generator', params: { count: 5, rate: 0 } }], edges: [...doc.edges, { from: 'gen', to: 'outJoin' }] };
    writeFileSync(join(dir, 'gen.json'), JSON.stringify(gen));
    const g = await runCli(['flink', 'export', join(dir, 'gen.json'), '--out', join(dir, 'export2'), '--trust']);
    expect(g.code, g.stderr).toBe(0);
    expect(existsSync(join(dir, 'export2', 'tributary-flink.jar'))).toBe(true);
    expect(g.stderr).toMatch(/no Flink SQL written \(pipeline.sql\)[^\n]*\n(.*\n)* {2}node 'gen': the clickstream generator has no SQL table: Flink's `datagen`/);
    expect(existsSync(join(dir, 'export2', 'pipeline.sql'))).toBe(false);
  });

  describe('on Flink', () => {
    beforeAll(() => {
      sqlRunnerClasspath();
    }, 600_000);

    it('gives the embedded runtime\'s output: filter + map, tumbling window, interval join, MATCH_RECOGNIZE', async () => {
      const doc = pipeline(dir);
      const embeddedDoc = { ...doc, nodes: doc.nodes.map((n) => (n.type === 'sink.file' ? { ...n, params: { path: join(dir, 'embedded', String(n.params!.path)) } } : n)) };
      await runEmbedded(embeddedDoc as Doc, dir);
      const r = sqlOf(doc, join(dir, 'sql'), { src: input });
      expect(r.ok, JSON.stringify(r)).toBe(true);
      runSql((r as { script: string }).script);
      for (const out of ['map', 'window', 'join', 'cep', 'cep3']) {
        const want = readOut(join(dir, 'embedded', 'out', `${out}.jsonl`));
        const got = readOut(join(dir, 'sql', 'out', `${out}.jsonl`));
        // Each output holds records (the test would prove nothing on empty files).
        expect(want.length, out).toBeGreaterThan(10);
        expect(got, out).toEqual(want);
      }
      // One Flink job costs ~25 s of CPU; on a loaded machine its wall time is several times that.
    }, 600_000);
  });
});
