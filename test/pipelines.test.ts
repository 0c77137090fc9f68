// Examples are fixtures: every pipeline in pipelines/ is canonical, validates, and runs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializePipeline } from '../runtime/format/serialize.js';
import { validatePipeline } from '../runtime/format/validate.js';
import { runCli } from './support/cli.js';
import { ensureTopic } from './support/kafka.js';
import { type KserveServer, startKserve } from './support/kserve.js';
import { copyOfPipelines, examplePipelines } from './support/pipelines.js';
import { SmtpServerProcess } from './support/smtp.js';

type Node = { type: string; params: Record<string, any> };

/** Endless when some source has no end: a generator without `count`, an unbounded Kafka source. */
function endless(doc: Record<string, unknown>): boolean {
  return (doc.nodes as Node[]).some((n) => (n.type === 'source.generator' && n.params?.count === undefined) || (n.type === 'source.kafka' && !n.params.bounded));
}

/**
 * Run an endless pipeline and interrupt it once it demonstrably runs: the CLI prints its metrics
 * address right before it takes over SIGINT, and the interrupt then waits until records flow (a
 * few seconds at most) and each node of `sinks` has received some (20 s at most; the checks after
 * the run say what was missing). A fixed delay after spawning raced the CLI's start-up on a busy machine: the signal
 * could come before the handler was installed, or before anything reached a sink.
 */
function runEndless(file: string, cwd: string, env: Record<string, string>, sinks: string[]) {
  let started = false;
  let go!: () => void;
  const running = new Promise<void>((res) => (go = res));
  const received = (text: string, node: string) => new RegExp(`^tributary_node_records_in_total\\{node="${node}"[^}]*\\} [1-9]`, 'm').test(text);
  return runCli(['run', file, '--trust', '--metrics-port', '0'], {
    cwd,
    env,
    timeout: 100_000,
    interruptWhen: running,
    onStderr: (chunk) => {
      const m = /metrics: (http:\S+) \(Authorization: Bearer (\w+)\)/.exec(chunk);
      if (!m || started) return;
      started = true;
      void (async () => {
        const since = Date.now();
        while (Date.now() - since < 20_000) {
          const text = await fetch(m[1]!, { headers: { authorization: `Bearer ${m[2]}` } }).then((res) => res.text(), () => '');
          // A Kafka source on an empty topic never has records: give it a moment, not the whole wait.
          const flowing = /^tributary_node_records_out_total\{[^}]*\} [1-9]/m.test(text) || Date.now() - since > 3_000;
          if (flowing && sinks.every((n) => received(text, n))) break;
          await new Promise((res) => setTimeout(res, 100));
        }
      })().finally(go);
    },
  });
}

describe('pipelines/', () => {
  const examples = examplePipelines();
  // The servers examples talk to besides Kafka and Redis: an SMTP server for e-mail alerts and a
  // KServe v2 model server, real ones on 127.0.0.1, found through the examples' environment references.
  let smtp: SmtpServerProcess;
  let kserve: KserveServer;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    smtp = await SmtpServerProcess.start();
    kserve = await startKserve();
    Object.assign(env, { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), MODEL_SERVER_URL: kserve.url });
  });
  afterAll(async () => {
    await smtp.stop();
    await kserve.close();
  });

  // Kafka examples read topics another example writes: make sure they exist whatever the order
  // (the test setup provides the broker, at KAFKA_BROKERS).
  beforeAll(async () => {
    const read = examples.flatMap(({ doc }) => (doc.nodes as Node[]).filter((n) => n.type === 'source.kafka').flatMap((n) => [n.params.topic].flat() as string[]));
    for (const topic of new Set(read)) await ensureTopic(topic, 4);
  });

  it('has examples', () => {
    expect(examples.map((e) => e.file)).toContain('clickstream-demo.json');
  });

  for (const { file, text, doc } of examples) {
    describe(file, () => {
      it('validates', () => {
        expect(validatePipeline(doc).problems).toEqual([]);
      });

      it('is saved in canonical form (pretty-printed, stable key order)', () => {
        expect(text).toBe(serializePipeline(doc));
      });

      // Start-up alone can take tens of seconds on a loaded machine.
      it('runs with the CLI and exits 0', { timeout: 120_000 }, async () => {
        const dir = copyOfPipelines();
        const nodes = doc.nodes as (Node & { id: string })[];
        // Every node downstream of an `errors` port (a fallback path, say), not only the first.
        const edgeList = doc.edges as { from: string; to: string; fromPort?: string }[];
        const fromErrors = new Set(edgeList.filter((e) => e.fromPort === 'errors').map((e) => e.to));
        for (let grew = true; grew; ) {
          grew = false;
          for (const e of edgeList) {
            if (fromErrors.has(e.from) && !fromErrors.has(e.to)) {
              fromErrors.add(e.to);
              grew = true;
            }
          }
        }
        // Files fed by an `errors` port are rightly empty when nothing failed.
        const sinks = nodes.filter((n) => n.type === 'sink.file' && !fromErrors.has(n.id));
        const r = endless(doc)
          ? await runEndless(file, dir, env, sinks.map((s) => s.id))
          : await runCli(['run', file, '--trust'], { cwd: dir, env, timeout: 100_000 });
        expect(r.stderr).not.toMatch(/failed/);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toMatch(endless(doc) ? /: stopped/ : /: finished/);
        for (const s of sinks) {
          const lines = readFileSync(join(dir, s.params.path), 'utf8').trim().split('\n');
          expect(lines.length, s.params.path).toBeGreaterThan(0);
          for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
        }
        if (nodes.some((n) => n.type === 'sink.console')) expect(r.stdout.length).toBeGreaterThan(0);
        if (existsSync(join(dir, 'out'))) expect(readdirSync(join(dir, 'out')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      });
    });
  }
});
