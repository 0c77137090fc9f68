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

      it('runs with the CLI and exits 0', async () => {
        const dir = copyOfPipelines();
        const r = await runCli(['run', file, '--trust'], { cwd: dir, env, interruptAfter: endless(doc) ? 4_000 : undefined });
        expect(r.stderr).not.toMatch(/failed/);
        expect(r.code).toBe(0);
        expect(r.stderr).toMatch(endless(doc) ? /: stopped/ : /: finished/);
        const nodes = doc.nodes as (Node & { id: string })[];
        const fromErrors = new Set((doc.edges as { to: string; fromPort?: string }[]).filter((e) => e.fromPort === 'errors').map((e) => e.to));
        // Files fed by an `errors` port are rightly empty when nothing failed.
        const sinks = nodes.filter((n) => n.type === 'sink.file' && !fromErrors.has(n.id));
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
