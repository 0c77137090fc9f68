// Mutates the example pipelines thousands of ways: each mutant must be either accepted (and then
// plan and run to an end without an unexplained crash) or rejected with located messages. No
// throw, no hang. Seeded, so a failure reproduces.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeError } from '../runtime/engine/errors.js';
import { planJob } from '../runtime/engine/plan.js';
import { jsonSyntaxProblem } from '../runtime/host/load.js';
import { validatePipeline } from '../runtime/format/validate.js';
import { OPERATORS } from '../runtime/nodes/operators.js';
import { examplePipelines, PIPELINES_DIR } from './support/pipelines.js';
import { StringOut } from './support/harness.js';

const MUTANTS = 1_500;
const NETWORKED = new Set(['source.kafka', 'sink.kafka', 'sink.redis', 'lookup.redis', 'sink.http', 'sink.email']);

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_VALUES: unknown[] = [null, 0, -1, 1e308, 3.5, '', ' ', 'x', '15m', '1ms', 'price > ', "eventType == 'VIEW'", '{...event}', 'a.b.c', '(', '`${', '}', true, [], [1, 'a'], {}, { field: 'ts' }, 'return 1', '\u0000', 'constructor', '__proto__', 'out', 'errors', 'in', 'filter', 'nope'];

type Json = unknown;

/** Every (container, key) pair in a JSON value, so a mutation can target any place. */
function places(v: Json, out: [Record<string, Json> | Json[], string | number][] = []): [Record<string, Json> | Json[], string | number][] {
  if (Array.isArray(v)) {
    v.forEach((c, i) => {
      out.push([v, i]);
      places(c, out);
    });
  } else if (v !== null && typeof v === 'object') {
    for (const [k, c] of Object.entries(v)) {
      out.push([v as Record<string, Json>, k]);
      places(c, out);
    }
  }
  return out;
}

function mutate(doc: Record<string, unknown>, r: () => number): Record<string, unknown> {
  const d = structuredClone(doc);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const all = places(d);
    if (all.length === 0) break;
    const [container, key] = pick(all);
    const nodes = (Array.isArray(d.nodes) ? d.nodes : []).filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x));
    switch (Math.floor(r() * 7)) {
      case 0: // delete
        if (Array.isArray(container)) container.splice(key as number, 1);
        else delete container[key as string];
        break;
      case 1: // replace with an odd value
        (container as Record<string | number, Json>)[key] = structuredClone(pick(ODD_VALUES));
        break;
      case 2: // add an unknown key
        if (!Array.isArray(container)) container[`extra${Math.floor(r() * 9)}`] = pick(ODD_VALUES);
        break;
      case 3: // duplicate a node or an edge
        if (nodes.length > 0 && Array.isArray(d.nodes)) d.nodes.push(structuredClone(pick(nodes)));
        break;
      case 4: // random edge, possibly creating a cycle or a dangling end
        if (Array.isArray(d.edges) && nodes.length > 0) {
          const a = pick(nodes);
          const b = pick(nodes);
          d.edges.push({ from: a?.id ?? 'ghost', to: r() < 0.1 ? 'ghost' : (b?.id ?? 'ghost'), ...(r() < 0.3 ? { fromPort: pick(['out', 'errors', 'late']) } : {}) });
        }
        break;
      case 5: // change a node's type
        if (nodes.length > 0) pick(nodes).type = pick(['filter', 'map', 'flatMap', 'keyBy', 'union', 'sink.console', 'sink.file', 'source.file', 'source.generator', 'window', 'bogus']);
        break;
      default: // corrupt a string a little
        {
          const v = (container as Record<string | number, Json>)[key];
          if (typeof v === 'string' && v.length > 0) {
            const at = Math.floor(r() * v.length);
            (container as Record<string | number, Json>)[key] = v.slice(0, at) + pick(['(', ')', '=', '"', ';', '.', ' ', '`', '{', '}', '']) + v.slice(at + 1);
          }
        }
        break;
    }
  }
  return d;
}

/** Bound every source so an accepted mutant finishes quickly; sinks write into a scratch folder. */
function bounded(params: unknown, type: string): unknown {
  if (type !== 'source.generator') return params;
  const p = params as Record<string, unknown>;
  return { ...p, rate: 0, count: Math.min(typeof p.count === 'number' ? p.count : 2_000, 2_000) };
}

describe('fuzzing the example pipelines', () => {
  it(`accepts or rejects ${MUTANTS} mutants with located messages, never crashing or hanging`, async () => {
    const examples = examplePipelines();
    const r = rng(20261123);
    const scratch = mkdtempSync(join(tmpdir(), 'tributary-fuzz-'));
    let accepted = 0;
    let rejected = 0;
    let ran = 0;
    for (let i = 0; i < MUTANTS; i++) {
      const mutant = mutate(examples[i % examples.length]!.doc, r);
      const result = validatePipeline(mutant);
      if (result.problems.length > 0) {
        rejected++;
        expect(result.pipeline).toBeNull();
        for (const p of result.problems) {
          expect(p.path, JSON.stringify(p)).toMatch(/^\$/);
          expect(p.message.length, JSON.stringify(p)).toBeGreaterThan(3);
          expect(p.nodeId === null || typeof p.nodeId === 'string').toBe(true);
        }
        continue;
      }
      accepted++;
      // Mutants that talk to Kafka, Redis, HTTP or SMTP are validated, not run: the connector and
      // pipeline tests run those against the real servers, on private topics and keys.
      if (result.pipeline!.nodes.some((n) => NETWORKED.has(n.type))) continue;
      const pipeline = { ...result.pipeline!, nodes: result.pipeline!.nodes.map((n) => ({ ...n, params: bounded(n.params, n.type) })) };
      const job = planJob(pipeline, { operators: OPERATORS, resolvePath: (p) => (p.startsWith('data/') ? join(PIPELINES_DIR, p) : join(scratch, `${i}-${p.replace(/\W/g, '_')}`)), stdout: new StringOut() });
      const stop = setTimeout(() => job.stop(), 5_000);
      try {
        expect(await job.run()).toBe('finished');
        ran++;
      } catch (err) {
        // A runtime failure is fine (a mutated expression may throw on real records) as long as it names its node.
        expect(err, String(err)).toBeInstanceOf(NodeError);
      } finally {
        clearTimeout(stop);
      }
    }
    // Both outcomes must actually occur, or the fuzzer is not exploring.
    expect(accepted).toBeGreaterThan(50);
    expect(rejected).toBeGreaterThan(500);
    expect(ran).toBeGreaterThan(20);
  });

  it('reports truncated and corrupted JSON text with a line and column', () => {
    const r = rng(7);
    for (const { text } of examplePipelines()) {
      for (let i = 0; i < 200; i++) {
        const cut = text.slice(0, Math.floor(r() * text.length));
        let err: unknown = null;
        try {
          JSON.parse(cut);
        } catch (e) {
          err = e;
        }
        if (err === null) continue;
        expect(jsonSyntaxProblem(cut, err).message).toMatch(/^not valid JSON: .*\(line \d+, column \d+\)$/);
      }
    }
  });
});
