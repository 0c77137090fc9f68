// Two-input nodes on both engines: the shipped join pipeline (its Redis sinks replaced by a file
// of the join's records) and random interval and window joins, all in one Flink job (a
// MiniCluster starts in seconds). Outputs compared record for record, order-insensitively.
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { flinkProblems } from '../../runtime/format/flink.js';
import { batched, compiled, flinkJar, runEmbedded, runOnFlink, validated } from '../support/flink.js';
import { copyOfPipelines, examplePipelines } from '../support/pipelines.js';
import type { PipelineDoc } from '../support/run.js';
import { boostedFromLists, compare, retarget, sinkFiles, withoutTrendingSeen } from './compare.js';
import { randomJoinCase } from './random-joins.js';
import { randomTwoInputCase } from './random-two-input.js';

const CASES = Number(process.env.FLINK_JOIN_CASES ?? 40);
// Each connect and broadcast node with code opens a GraalJS context on Flink: fewer of them.
const CODE_CASES = Number(process.env.FLINK_TWO_INPUT_CASES ?? 16);
const TWO_INPUT = new Set(['join.interval', 'join.window', 'connect', 'broadcast']);

/** A shipped pipeline with its Redis sinks written to files instead (same records, no server), generators bounded. */
function fileSinks(doc: PipelineDoc, most = 30_000): PipelineDoc {
  const nodes = doc.nodes.map((n) => {
    if (n.type === 'source.generator') return { ...n, params: { ...n.params, rate: 0, count: Math.min(Number(n.params?.count ?? most), most) } };
    if (n.type === 'sink.redis') return { id: n.id, type: 'sink.file', params: { path: `out/${n.id}.jsonl` } };
    return n;
  });
  return { ...doc, nodes };
}

describe('differential: two-input nodes on the embedded runtime and on Flink', () => {
  beforeAll(() => {
    flinkJar();
  }, 900_000);

  it(`shipped two-input pipelines, ${CASES} random interval and window joins and ${CODE_CASES} random connect and broadcast nodes agree`, async () => {
    const dir = copyOfPipelines();
    const shipped: ReturnType<typeof compiled>[] = [];
    const checks: (() => void)[] = [];
    const ran: string[] = [];
    for (const { file, doc } of examplePipelines()) {
      const d = doc as unknown as PipelineDoc;
      if (!d.nodes.some((n) => TWO_INPUT.has(n.type)) || d.nodes.some((n) => n.type === 'source.kafka')) continue;
      // trending-boosted-recs: 10,000 clicks (about 17 minutes of traffic, 26 windows) keep its code's share of the run small.
      const bounded = fileSinks(d, file === 'trending-boosted-recs.json' ? 10_000 : 30_000);
      if (flinkProblems(validated(bounded as never)).length > 0) continue;
      const a = retarget(bounded, 'out/', `embedded/${file}/`);
      const b = retarget(bounded, 'out/', `flink/${file}/`);
      await runEmbedded(a, dir);
      shipped.push(compiled(b as never, dir));
      const flinkSide = (f: string) => f.replace(`embedded/${file}/`, `flink/${file}/`);
      if (file === 'trending-boosted-recs.json') {
        // The window's trending lists (approxTopK) agree record for record; which list a view saw
        // depends on the order between the broadcast node's inputs (docs/flink.md), so the views
        // are compared without it and each engine's boosts are checked against the lists.
        checks.push(() => {
          const [lists, recs] = ['trending-lists.jsonl', 'boosted-recs.jsonl'].map((n) => join(dir, `embedded/${file}/${n}`)) as [string, string];
          compare([lists], flinkSide);
          compare([recs], flinkSide, withoutTrendingSeen);
          expect(boostedFromLists(recs, lists)).toBeGreaterThan(3000);
          expect(boostedFromLists(flinkSide(recs), flinkSide(lists))).toBeGreaterThan(3000);
        });
      } else checks.push(() => compare(sinkFiles(a).map((p) => join(dir, p)), flinkSide));
      ran.push(file);
    }
    const root = mkdtempSync(join(tmpdir(), 'tributary-flink-joins-'));
    const emb = join(root, 'embedded');
    const fl = join(root, 'flink');
    mkdirSync(emb);
    mkdirSync(fl);
    const docs = Array.from({ length: CASES }, (_, i) => randomJoinCase(7000 + i, emb));
    for (const d of docs) await runEmbedded(d, root);
    const joinParts = docs.map((d) => compiled(retarget(d, emb, fl) as never, root));
    const codeDocs = Array.from({ length: CODE_CASES }, (_, i) => randomTwoInputCase(9000 + i, emb));
    for (const d of codeDocs) await runEmbedded(d, root);
    const codeParts = codeDocs.map((d) => compiled(retarget(d, emb, fl) as never, root));
    // One Flink job by default; the long run's cases in a few (at most 70 joins and 20 GraalJS nodes each).
    for (let i = 0; i * 70 < Math.max(joinParts.length, 1) || i * 20 < codeParts.length; i++) {
      runOnFlink(batched([...(i === 0 ? shipped : []), ...joinParts.slice(i * 70, i * 70 + 70), ...codeParts.slice(i * 20, i * 20 + 20)]));
    }
    for (const check of checks) check();
    expect(ran).toContain('customer-360-join.json');
    expect(ran).toContain('trending-boosted-recs.json');
    const joined = readFileSync(join(dir, 'embedded/customer-360-join.json/counters.jsonl'), 'utf8').split('\n').length - 1;
    expect(joined).toBeGreaterThan(100);
    const records = { out: 0, errors: 0, interval: 0, window: 0 };
    for (const d of docs) {
      const files = sinkFiles(d);
      compare(files, (f) => f.replace(emb, fl));
      const kind = d.nodes.find((n) => n.id === 'j')!.type === 'join.interval' ? 'interval' : 'window';
      for (const f of files) {
        if (!existsSync(f)) continue;
        const n = readFileSync(f, 'utf8').split('\n').length - 1;
        const port = f.slice(f.lastIndexOf('/') + 1).split('-')[0]!;
        if (port === 'out') {
          records.out += n;
          records[kind] += n;
        } else if (port === 'errors') records.errors += n;
      }
    }
    // Both joins produced pairs, and the window join's failing outputs reached `errors` on both.
    expect(records.interval).toBeGreaterThan(CASES);
    expect(records.window).toBeGreaterThan(CASES);
    expect(records.errors).toBeGreaterThan(0);
    const code = { connect: 0, broadcast: 0, errors: 0 };
    for (const d of codeDocs) {
      const files = sinkFiles(d);
      compare(files, (f) => f.replace(emb, fl));
      const type = d.nodes.find((n) => n.id === 'j')!.type as 'connect' | 'broadcast';
      for (const f of files) {
        if (!existsSync(f)) continue;
        const n = readFileSync(f, 'utf8').split('\n').length - 1;
        if (f.slice(f.lastIndexOf('/') + 1).startsWith('errors')) code.errors += n;
        else code[type] += n;
      }
    }
    expect(code.connect).toBeGreaterThan(CODE_CASES);
    expect(code.broadcast).toBeGreaterThan(CODE_CASES);
    expect(code.errors).toBeGreaterThan(0);
  }, 900_000);
});
