// The compiled pipeline the Flink job reads (flink/, `tributary flink export`): the validated
// pipeline with defaults applied, durations in milliseconds, file paths absolute and every
// expression replaced by the checked AST the embedded runtime compiles — so the job never parses
// JavaScript. Also: which nodes cannot run on Flink, and why, named before anything is submitted.
// Isomorphic (the editor will offer "Run on Flink…" from it).
import type { AnyNode } from 'acorn';
import { analyzeExpression } from '../expr/parse.js';
import { parseDuration } from './duration.js';
import { FORMATS } from './params.js';
import { metaOf, walk } from './schema-walk.js';
import type { Pipeline, PipelineNode } from './validate.js';

export const FLINK_FORMAT = 'tributary.flink/v1';

export interface FlinkProblem {
  readonly nodeId: string;
  readonly reason: string;
}

/** Node types the Flink job translates today (flink/…/PipelineComposer.TRANSLATORS). */
export const FLINK_TRANSLATED: ReadonlySet<string> = new Set([
  'source.generator',
  'source.file',
  'source.kafka',
  'filter',
  'map',
  'flatMap',
  'keyBy',
  'union',
  'window',
  'cep',
  'join.interval',
  'join.window',
  'process',
  'connect',
  'broadcast',
  'sink.file',
  'sink.console',
  'sink.kafka',
  'sink.redis',
  'sink.http',
  'infer',
  'lookup.redis',
  'sink.email',
]);

/**
 * Why each node type the job does not translate cannot run on Flink, named before anything is
 * submitted. Types without an entry fall back to the spec's Flink mapping.
 */
const NOT_TRANSLATED: Readonly<Record<string, string>> = {};

/** Why a node cannot run on Flink (yet), or null. */
export function flinkLimit(node: PipelineNode): string | null {
  if (!FLINK_TRANSLATED.has(node.type)) {
    const why = NOT_TRANSLATED[node.type];
    if (why !== undefined) return why;
    return node.spec.flinkExport ? `${node.type} is not translated by the Flink job yet` : `${node.type} has no Flink mapping; it runs only in the embedded runtime`;
  }
  const p = node.params as Record<string, unknown>;
  if (node.type === 'window') {
    if (p.time === 'processing') return 'processing-time windows are not translated yet (at the end of a bounded input the embedded runtime fires them; Flink\'s streaming mode does not)';
  }
  if ((node.type === 'source.kafka' || node.type === 'sink.kafka') && (p.ssl as { rejectUnauthorized?: boolean } | undefined)?.rejectUnauthorized === false) {
    return 'ssl.rejectUnauthorized: false has no setting in the Java Kafka client (it always verifies the chain); give `ssl.ca` instead';
  }
  if ((node.type === 'sink.redis' || node.type === 'lookup.redis') && typeof p.url === 'string' && !/^(\$\{|rediss?:\/\/)/.test(p.url)) return `${node.type} on Flink takes redis:// or rediss:// URLs only (a unix socket is local to one machine)`;
  if (node.type === 'infer' && (p.model as { kind: string }).kind === 'embeddings') return 'infer with an `embeddings` model is not translated yet (the job has no port of the index and its exact top-k); `onnx` and `http` models run on Flink';
  if (node.type === 'sink.email' && p.deliveryGuarantee === 'exactly-once') return 'sink.email with deliveryGuarantee: exactly-once is not translated yet (its messages go out per completed checkpoint, claimed in Redis); at-least-once is';
  if (node.type === 'cep' && p.time === 'processing') return 'processing-time cep is not translated (at the end of a bounded input the embedded runtime expires every partial match; Flink\'s processing-time CepOperator does not, so the two would disagree)';
  return null;
}

export function flinkProblems(pipeline: Pipeline): FlinkProblem[] {
  const out: FlinkProblem[] = [];
  for (const n of pipeline.nodes) {
    let reason = flinkLimit(n);
    if (reason === null && n.type === 'cep' && pipeline.edges.some((e) => e.from === n.id && e.fromPort === 'errors')) {
      reason = 'cep with an edge from `errors`: a `where` that throws leaves the key\'s partial matches as if the record had not arrived, which Flink\'s CepOperator cannot do; without the edge a failing condition fails the job, naming the node';
    }
    if (reason !== null) out.push({ nodeId: n.id, reason });
  }
  return out;
}

/** acorn's ESTree without positions; non-finite number literals marked (JSON has no Infinity). */
export function astJson(node: AnyNode): unknown {
  return JSON.parse(
    JSON.stringify(node, (k, v: unknown) => {
      if (k === 'start' || k === 'end' || k === 'loc' || k === 'range' || k === 'raw') return undefined;
      if (v !== null && typeof v === 'object' && (v as { type?: string }).type === 'Literal') {
        const value = (v as { value: unknown }).value;
        if (typeof value === 'number' && !Number.isFinite(value)) return { type: 'Literal', value: null, infinity: true };
      }
      return v;
    }),
  );
}

/** One expression's compiled form: the names in scope, which one's fields free names read, and the AST. */
export function compileExpressionForFlink(src: string, params?: string[]): unknown {
  const a = analyzeExpression(src, params ? { params } : undefined);
  if (!a.ok) throw new Error(`invalid expression ${JSON.stringify(src)}: ${a.problem.message}`);
  return { params: a.options.params, fieldsOf: a.options.fieldsOf, ast: astJson(a.ast) };
}

function setAt(root: Record<string, unknown>, at: readonly (string | number)[], value: unknown): void {
  let cur: Record<string | number, unknown> = root;
  for (let i = 0; i < at.length - 1; i++) cur = cur[at[i]!] as Record<string | number, unknown>;
  cur[at[at.length - 1]!] = value;
}

function compileParams(node: PipelineNode, resolvePath: (p: string) => string): unknown {
  const params = structuredClone(node.params) as Record<string, unknown>;
  const edits: { at: readonly (string | number)[]; value: unknown }[] = [];
  walk(node.spec.params, node.params, (schema, value, at) => {
    const meta = metaOf(schema);
    if (at.length === 0 || meta === undefined || typeof value !== 'string' && typeof value !== 'number') return;
    switch (meta.format) {
      case FORMATS.expression:
        edits.push({ at, value: { $expr: compileExpressionForFlink(value as string, meta['x-params'] as string[] | undefined), source: value } });
        break;
      case FORMATS.code:
        edits.push({ at, value: { $code: { params: meta['x-params'], body: value } } });
        break;
      case FORMATS.duration: {
        // Signed offsets (window) are durations with an optional minus sign.
        const s = typeof value === 'string' ? value.trim() : value;
        const neg = typeof s === 'string' && s.startsWith('-');
        const ms = parseDuration(neg ? (s as string).slice(1) : s);
        if (ms !== null) edits.push({ at, value: neg ? -ms : ms });
        break;
      }
      case FORMATS.path:
        edits.push({ at, value: resolvePath(value as string) });
        break;
    }
  });
  for (const e of edits) setAt(params, e.at, e.value);
  return params;
}

export interface CompiledPipeline {
  format: typeof FLINK_FORMAT;
  name: string;
  parallelism: number;
  nodes: { id: string; type: string; label: string; params: unknown }[];
  edges: { from: string; fromPort: string; to: string; toPort: string }[];
}

/** Bytes as base64 (btoa: the module stays isomorphic), in chunks so no argument list grows with the file. */
function base64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/**
 * An `onnx` model's bytes inside the compiled pipeline (`model.bytes`, base64), so the job needs
 * no copy of the file where it is built: `tributary flink run` hands the pipeline to a JobManager
 * that may run on another machine. A file that cannot be read is left to the job, which names it.
 */
function withModelBytes(n: PipelineNode, params: unknown, readFile: (path: string) => Uint8Array): unknown {
  const model = (params as { model?: { kind?: string; path?: string } }).model;
  if (n.type !== 'infer' || model?.kind !== 'onnx' || typeof model.path !== 'string') return params;
  let bytes: Uint8Array;
  try {
    bytes = readFile(model.path);
  } catch {
    return params;
  }
  return { ...(params as object), model: { ...model, bytes: base64(bytes) } };
}

/**
 * The compiled pipeline for the Flink job; `resolvePath` makes file params absolute, and
 * `readFile`, where given, puts the files the job reads whole (ONNX models) inside it.
 */
export function compileForFlink(pipeline: Pipeline, resolvePath: (p: string) => string, parallelism?: number, readFile?: (path: string) => Uint8Array): CompiledPipeline {
  return {
    format: FLINK_FORMAT,
    name: pipeline.name,
    parallelism: parallelism ?? pipeline.settings.parallelism,
    nodes: pipeline.nodes.map((n) => {
      const params = compileParams(n, resolvePath);
      return { id: n.id, type: n.type, label: n.label ?? n.id, params: readFile ? withModelBytes(n, params, readFile) : params };
    }),
    edges: pipeline.edges.map((e) => ({ from: e.from, fromPort: e.fromPort, to: e.to, toPort: e.toPort })),
  };
}
