// Examples are fixtures: every pipeline in pipelines/ is canonical, validates, and runs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializePipeline } from '../runtime/format/serialize.js';
import { validatePipeline } from '../runtime/format/validate.js';
import { runCli } from './support/cli.js';
import { copyOfPipelines, examplePipelines } from './support/pipelines.js';

/** Endless when some source has no end: a generator without `count`. */
function endless(doc: Record<string, unknown>): boolean {
  return (doc.nodes as { type: string; params?: { count?: number } }[]).some((n) => n.type === 'source.generator' && n.params?.count === undefined);
}

describe('pipelines/', () => {
  const examples = examplePipelines();

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
        const r = await runCli(['run', file, '--trust'], { cwd: dir, interruptAfter: endless(doc) ? 2_000 : undefined });
        expect(r.stderr).not.toMatch(/failed/);
        expect(r.code).toBe(0);
        expect(r.stderr).toMatch(endless(doc) ? /: stopped/ : /: finished/);
        const sinks = (doc.nodes as { type: string; params: { path: string } }[]).filter((n) => n.type === 'sink.file');
        for (const s of sinks) {
          const lines = readFileSync(join(dir, s.params.path), 'utf8').trim().split('\n');
          expect(lines.length, s.params.path).toBeGreaterThan(0);
          for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
        }
        if (sinks.length === 0) expect(r.stdout.length).toBeGreaterThan(0);
        if (existsSync(join(dir, 'out'))) expect(readdirSync(join(dir, 'out')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      });
    });
  }
});
