// The same pipeline on the embedded runtime and on Flink (a MiniCluster) over the same bounded
// input gives the same records (compared order-insensitively: the order of window results that
// fire on one watermark is unspecified). Random cases run batched, many pipelines to one Flink job.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { flinkProblems } from '../../runtime/format/flink.js';
import { batched, compiled, flinkJar, runEmbedded, runOnFlink, validated } from '../support/flink.js';
import { copyOfPipelines, examplePipelines } from '../support/pipelines.js';
import type { PipelineDoc } from '../support/run.js';
import { compare, retarget, sameParseErrors, sinkFiles } from './compare.js';
import { randomWindowCase } from './random-pipelines.js';
import { randomProcessCase } from './random-process.js';

const SERVICE_NODES = new Set(['source.kafka', 'sink.kafka', 'sink.redis', 'sink.http', 'lookup.redis']);
const TWO_INPUT = new Set(['join.interval', 'join.window', 'connect', 'broadcast']);
const CASES = Number(process.env.FLINK_RANDOM_CASES ?? 210);
const PER_JOB = Number(process.env.FLINK_CASES_PER_JOB ?? 70);
// Each process node opens a GraalJS context on Flink: fewer per job.
const PROCESS_CASES = Number(process.env.FLINK_PROCESS_CASES ?? 40);
const PROCESS_PER_JOB = Number(process.env.FLINK_PROCESS_CASES_PER_JOB ?? 20);

describe('differential: embedded runtime vs Flink', () => {
  beforeAll(() => {
    flinkJar();
  }, 900_000);

  it('example pipelines that run on Flink agree over bounded input', async () => {
    const dir = copyOfPipelines();
    const ran: string[] = [];
    const jobs: ReturnType<typeof compiled>[] = [];
    const checks: (() => void)[] = [];
    for (const { file, doc } of examplePipelines()) {
      // The same bounded input on both sides: generators unthrottled, with a count.
      const nodes = (doc.nodes as PipelineDoc['nodes']).map((n) => (n.type === 'source.generator' ? { ...n, params: { ...n.params, rate: 0, count: Math.min(Number(n.params?.count ?? 30_000), 30_000) } } : n));
      const bounded = { ...(doc as unknown as PipelineDoc), nodes };
      const pipeline = validated(bounded as never);
      if (flinkProblems(pipeline).length > 0) continue;
      // Pipelines reading or writing Kafka, Redis or HTTP are compared against the real services in kafka-io.test.ts.
      if (pipeline.nodes.some((n) => SERVICE_NODES.has(n.type))) continue;
      // Two-input nodes are compared in joins.test.ts (trending-boosted-recs with its broadcast).
      if (pipeline.nodes.some((n) => TWO_INPUT.has(n.type))) continue;
      const embedded = join(dir, 'embedded', file);
      const flink = join(dir, 'flink', file);
      const a = retarget(bounded, 'out/', `embedded/${file}/`);
      const b = retarget(bounded, 'out/', `flink/${file}/`);
      await runEmbedded(a, dir);
      jobs.push(compiled(b as never, dir));
      checks.push(() => compare(sinkFiles(a).map((p) => join(dir, p)), (f) => f.replace(embedded, flink), sameParseErrors));
      ran.push(file);
    }
    // One Flink job for all of them (a MiniCluster and GraalJS start once); the pipelines stay
    // apart (node ids prefixed, their own sources and watermarks).
    runOnFlink(batched(jobs));
    for (const check of checks) check();
    // clickstream-demo (generator, filters, a map, a keyBy and file sinks), cart-abandonment
    // (cep with notFollowedBy and within) and the process pipelines run on Flink today.
    expect(ran).toContain('clickstream-demo.json');
    expect(ran).toContain('cart-abandonment.json');
    // process nodes run their JavaScript through GraalJS over Flink's keyed state and timers:
    // list, value and map state with TTL, event-time timers, the final watermark as Infinity.
    expect(ran).toContain('session-recommendations.json');
    expect(ran).toContain('cart-abandonment-process.json');
    // flatMap's code in GraalJS.
    expect(ran).toContain('order-lines.json');
    // approxTopK over a sliding window: the embedded sketch ported to Java, equal lists.
    expect(ran).toContain('trending-products.json');
    // ~100 CPU-seconds in all; the limit leaves room for a machine loaded many times over.
  }, 900_000);

  it(`${CASES} random window pipelines (every assigner, lateness, late and errors ports) agree`, async () => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-flink-random-'));
    const emb = join(root, 'embedded');
    const fl = join(root, 'flink');
    mkdirSync(emb);
    mkdirSync(fl);
    const seeds = Array.from({ length: CASES }, (_, i) => 1000 + i);
    const docs = seeds.map((s) => randomWindowCase(s, emb));
    for (const d of docs) await runEmbedded(d, root);
    for (let i = 0; i < docs.length; i += PER_JOB) {
      const part = docs.slice(i, i + PER_JOB).map((d) => compiled(retarget(d, emb, fl) as never, root));
      runOnFlink(batched(part));
    }
    let records = 0;
    for (const d of docs) {
      const files = sinkFiles(d);
      compare(files, (f) => f.replace(emb, fl));
      for (const f of files) if (existsSync(f)) records += readFileSync(f, 'utf8').split('\n').length - 1;
    }
    writeFileSync(join(root, 'summary.txt'), `${docs.length} pipelines, ${records} records compared\n`);
    expect(records).toBeGreaterThan(docs.length);
  }, 900_000);

  it(`${PROCESS_CASES} random process pipelines (state, event-time timers, side and errors ports) agree`, async () => {
    const root = mkdtempSync(join(tmpdir(), 'tributary-flink-process-'));
    const emb = join(root, 'embedded');
    const fl = join(root, 'flink');
    mkdirSync(emb);
    mkdirSync(fl);
    const docs = Array.from({ length: PROCESS_CASES }, (_, i) => randomProcessCase(5000 + i, emb));
    for (const d of docs) await runEmbedded(d, root);
    for (let i = 0; i < docs.length; i += PROCESS_PER_JOB) {
      runOnFlink(batched(docs.slice(i, i + PROCESS_PER_JOB).map((d) => compiled(retarget(d, emb, fl) as never, root))));
    }
    const records = { out: 0, side: 0, errors: 0 };
    for (const d of docs) {
      const files = sinkFiles(d);
      compare(files, (f) => f.replace(emb, fl));
      for (const f of files) {
        if (!existsSync(f)) continue;
        const port = f.slice(f.lastIndexOf('/') + 1).split('-')[0] as keyof typeof records;
        records[port] += readFileSync(f, 'utf8').split('\n').length - 1;
      }
    }
    writeFileSync(join(root, 'summary.txt'), `${docs.length} pipelines, ${JSON.stringify(records)} records compared\n`);
    // Every port carried records somewhere, so each part of the API was compared.
    expect(records.out).toBeGreaterThan(docs.length);
    expect(records.side).toBeGreaterThan(0);
    expect(records.errors).toBeGreaterThan(0);
  }, 900_000);
});
