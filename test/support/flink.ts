// Running pipelines on Flink (a MiniCluster in one `java` process) and in the embedded runtime,
// for the differential tests. Many small pipelines go into one Flink job (their node ids
// prefixed), since a MiniCluster takes seconds to start.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ADD_OPENS, flinkClasspath, flinkJobJar } from '../../runtime/cli/flink-build.js';
import { type CompiledPipeline, compileForFlink } from '../../runtime/format/flink.js';
import { validatePipeline, type Pipeline } from '../../runtime/format/validate.js';
import type { PipelineDoc } from './run.js';
import { plan } from './run.js';

/** Build (or take from the cache) the job jar; slow only the first time on a machine. */
export function flinkJar(): string {
  return `${flinkJobJar()}:${flinkClasspath()}`;
}

export function validated(doc: PipelineDoc | Record<string, unknown>): Pipeline {
  const { pipeline, problems } = validatePipeline({ format: 'tributary.pipeline/v1', name: 'test', ...doc });
  if (!pipeline) throw new Error(problems.map((p) => `${p.nodeId} ${p.path}: ${p.message}`).join('\n'));
  return pipeline;
}

/** Run compiled pipelines as one Flink job in a MiniCluster; throws with the job's failure. */
export function runOnFlink(compiled: CompiledPipeline, parallelism?: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-flink-test-'));
  const file = join(dir, 'pipeline.flink.json');
  writeFileSync(file, JSON.stringify(compiled));
  const args = [...ADD_OPENS, '-cp', flinkJar(), 'dev.tributary.flink.TributaryJob', '--pipeline', file];
  if (parallelism !== undefined) args.push('--parallelism', String(parallelism));
  const r = spawnSync('java', args, { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  if (r.status !== 0) {
    const node = /node '[^']+': [^\n]*/.exec(r.stderr);
    const causes = r.stderr.split('\n').filter((l) => l.startsWith('Caused by:'));
    throw new Error(`Flink job failed: ${node ? node[0] : causes.length > 0 ? causes.slice(-2).join('\n') : r.stderr.slice(-3000)}`);
  }
}

/**
 * runOnFlink without blocking this process's event loop, for tests whose services (a webhook
 * server) live in the test process and must answer while the job runs.
 */
export async function runOnFlinkAsync(compiled: CompiledPipeline): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-flink-test-'));
  const file = join(dir, 'pipeline.flink.json');
  writeFileSync(file, JSON.stringify(compiled));
  const child = spawn('java', [...ADD_OPENS, '-cp', flinkJar(), 'dev.tributary.flink.TributaryJob', '--pipeline', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  if (code !== 0) {
    const node = /node '[^']+': [^\n]*/.exec(stderr);
    const causes = stderr.split('\n').filter((l) => l.startsWith('Caused by:'));
    throw new Error(`Flink job failed: ${node ? node[0] : causes.length > 0 ? causes.slice(-2).join('\n') : stderr.slice(-3000)}`);
  }
}

/** Several pipelines as one compiled pipeline: node ids prefixed `p<i>_`. */
export function batched(parts: CompiledPipeline[]): CompiledPipeline {
  const out: CompiledPipeline = { format: 'tributary.flink/v1', name: 'batch', parallelism: 1, nodes: [], edges: [] };
  parts.forEach((p, i) => {
    const pre = `p${i}_`;
    out.nodes.push(...p.nodes.map((n) => ({ ...n, id: pre + n.id, label: pre + n.label })));
    out.edges.push(...p.edges.map((e) => ({ ...e, from: pre + e.from, to: pre + e.to })));
  });
  return out;
}

export function compiled(doc: PipelineDoc | Record<string, unknown>, baseDir: string): CompiledPipeline {
  return compileForFlink(validated(doc), (p) => (isAbsolute(p) ? p : resolve(baseDir, p)), undefined, readFileSync);
}

/** Run in the embedded runtime, paths resolved against baseDir. */
export async function runEmbedded(doc: PipelineDoc, baseDir: string): Promise<void> {
  const job = plan({ ...doc, nodes: doc.nodes.map((n) => ({ ...n, params: withPaths(n.params, baseDir) })) });
  const outcome = await job.run();
  if (outcome !== 'finished') throw new Error(`embedded run ended ${outcome}`);
}

function withPaths(params: Record<string, unknown> | undefined, baseDir: string): Record<string, unknown> | undefined {
  if (params === undefined || typeof params.path !== 'string' || isAbsolute(params.path)) return params;
  return { ...params, path: resolve(baseDir, params.path) };
}

/** A JSON Lines file's records as sorted canonical lines (order-insensitive comparison). */
export function sortedLines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').sort();
}
