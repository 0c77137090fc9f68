// infer on both engines: the shipped pipelines with a model (their Redis and e-mail sinks written
// to files) and generated pipelines over every protocol of a real model server in this process
// (kserve-v2 JSON and binary, tf-serving, mlflow, openai chat and embeddings, the JSON template
// single and batched), ordered and unordered, `errors`, `fallback`, `cache`, retries after 503s,
// and ONNX models (a ZipMap classifier with and without `outputs`, gradient boosting, a regressor,
// a class that does not exist, ZipMaps listing their classes out of order). All on Flink as one job; outputs compared record for record,
// order-insensitively.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flinkProblems } from '../../runtime/format/flink.js';
import { EXPECTED, MODELS } from '../support/infer.js';
import { startKserve, type KserveServer } from '../support/kserve.js';
import { ModelServer } from '../support/model-server.js';
import { batched, compiled, flinkJar, runEmbedded, runOnFlinkAsync, validated } from '../support/flink.js';
import { copyOfPipelines, examplePipelines } from '../support/pipelines.js';
import type { PipelineDoc } from '../support/run.js';
import { withZipMapLabels } from '../support/zipmap-model.js';
import { compare, retarget, sinkFiles } from './compare.js';

const FEATURES = EXPECTED.features;

/** The fixture rows as records, a few of them twice (cache hits), and records with a bad feature. */
function inputRecords(): Record<string, unknown>[] {
  const rows = EXPECTED.inputs.slice(0, 120).map((row, id) => ({
    id,
    ...Object.fromEntries(row.map((v, j) => [`f${j}`, v])),
    text: `features:${row.join(',')}`,
    title: ['abc', 'bad cab', 'hedge', 'fade', 'gaffe'][id % 5]!,
  }));
  const bad = [
    { ...rows[3]!, id: 900, f4: 'x' },
    { ...rows[4]!, id: 901, f7: null },
    { ...rows[5]!, id: 902, f0: 1e39 },
  ];
  delete (bad[1] as Record<string, unknown>).f7;
  return [...rows, ...rows.slice(0, 30), ...bad];
}

/** src → infer → out, with `errors` to a file of its own. */
function inferCase(name: string, dir: string, params: Record<string, unknown>, errors = true): PipelineDoc {
  return {
    nodes: [
      { id: 'src', type: 'source.file', params: { path: join(dir, '..', 'in.jsonl') } },
      { id: 'm', type: 'infer', params },
      { id: 'out', type: 'sink.file', params: { path: join(dir, `${name}-out.jsonl`) } },
      ...(errors ? [{ id: 'err', type: 'sink.file', params: { path: join(dir, `${name}-errors.jsonl`) } }] : []),
    ],
    edges: [{ from: 'src', to: 'm' }, { from: 'm', to: 'out' }, ...(errors ? [{ from: 'm', fromPort: 'errors', to: 'err' }] : [])],
  } as PipelineDoc;
}

function cases(url: string, slowUrl: string, dir: string): PipelineDoc[] {
  const kserve = { kind: 'http', protocol: 'kserve-v2', url, name: 'churn' };
  const c: [string, Record<string, unknown>, boolean?][] = [
    ['kserve-json', { model: kserve, features: [...FEATURES.slice(0, 19), 'f19 + 0'], outputs: { p: 'probabilities[1]', label: 'label' }, batchSize: 16 }],
    ['kserve-binary', { model: { ...kserve, binary: true, datatype: 'FP64', version: '4' }, features: FEATURES, batchSize: 64, ordered: false }],
    ['kserve-int', { model: { ...kserve, datatype: 'INT32' }, features: FEATURES, outputs: { p: 'probabilities[1]' } }],
    ['kserve-missing-output', { model: kserve, features: FEATURES, outputs: { p: 'scores' } }],
    ['tf-rows', { model: { kind: 'http', protocol: 'tf-serving', url, name: 'churn' }, features: FEATURES, outputs: { p: 'predictions[1]' }, batchSize: 32 }],
    ['tf-columns', { model: { kind: 'http', protocol: 'tf-serving', url, name: 'churn', layout: 'columns', version: '2' }, features: FEATURES, ordered: false }],
    ['mlflow-rows', { model: { kind: 'http', protocol: 'mlflow', url }, features: FEATURES, outputs: { p: 'predictions' } }],
    ['mlflow-columns', { model: { kind: 'http', protocol: 'mlflow', url, layout: 'columns' }, features: FEATURES, outputs: { p: 'predictions' }, ordered: false, batchSize: 8 }],
    ['openai-chat', { model: { kind: 'http', protocol: 'openai', url: `${url}/v1`, name: 'gpt-test', prompt: 'text', system: 'Answer with a probability.', temperature: 0 }, outputs: { answer: 'content' }, concurrency: 8 }],
    ['openai-embeddings', { model: { kind: 'http', protocol: 'openai', mode: 'embeddings', url: `${url}/v1`, name: 'emb', prompt: 'title' }, outputs: { vec: 'embedding', second: 'embedding[1]' }, batchSize: 8 }],
    ['json', { model: { kind: 'http', protocol: 'json', url: `${url}/score`, request: `{ features: [${FEATURES.join(', ')}] }`, response: 'data.score' }, outputs: { score: 'result' }, ordered: false }],
    ['json-batched', { model: { kind: 'http', protocol: 'json', url: `${url}/score`, request: `{ features: [${FEATURES.join(', ')}] }`, response: 'results', batched: true }, batchSize: 10 }],
    ['json-cache', { model: { kind: 'http', protocol: 'json', url: `${url}/score`, request: `{ features: [${FEATURES.join(', ')}] }`, response: 'data.score', headers: { 'x-tenant': '${INFER_TEST_TENANT:-shop}' } }, outputs: { score: 'result' }, cache: { key: 'id', ttl: '10m' } }],
    // Every record times out (the server answers after 3 s): on both engines its timer or the
    // request's own deadline fails it first, so the message may end in the attempts made.
    ['timeout', { model: { kind: 'http', protocol: 'json', url: `${slowUrl}/score`, request: 'id', response: 'results', batched: true }, timeout: '300ms', retries: 0, batchSize: 500 }],
    ['fallback', { model: { ...kserve, name: 'nope' }, features: FEATURES, outputs: { p: 'probabilities[1]' }, fallback: { p: -1, why: 'no model' }, retries: 1 }],
    // ONNX Runtime computes a LinearClassifier's logistic for a one-row batch by another path than
    // for a longer one (the last bit of a float32 can differ), on either engine; which rows run
    // alone depends on arrival, so this model runs one row at a time here. The others batch.
    ['onnx-zipmap', { model: { kind: 'onnx', path: join(MODELS, 'logreg20.onnx') }, features: FEATURES, batchSize: 1 }],
    ['onnx-gbm', { model: { kind: 'onnx', path: join(MODELS, 'gbm50.onnx') }, features: FEATURES, outputs: { label: 'output_label', p: 'output_probability[1]', p0: 'output_probability.0' }, batchSize: 7 }],
    ['onnx-regressor', { model: { kind: 'onnx', path: join(MODELS, 'linreg20.onnx') }, inputs: { input: FEATURES }, versionField: 'v' }],
    ['onnx-no-class', { model: { kind: 'onnx', path: join(MODELS, 'logreg20.onnx') }, features: FEATURES, outputs: { p: 'output_probability[7]' } }],
    // ZipMaps listing their classes out of order: the model's order, read whole and named in a message.
    ['onnx-zipmap-strings', { model: { kind: 'onnx', path: join(dir, '..', 'zipmap-strings.onnx') }, features: FEATURES, batchSize: 1 }],
    ['onnx-zipmap-reversed', { model: { kind: 'onnx', path: join(dir, '..', 'zipmap-reversed.onnx') }, features: FEATURES, outputs: { p: 'output_probability[7]' } }],
  ];
  // A generous timeout: the machine running the tests is loaded, and on Flink the records' timers
  // start while the job's other tasks are still starting; neither engine should time out here.
  return c.map(([name, params, errors]) => inferCase(name, dir, (params.model as { kind: string }).kind === 'http' ? { timeout: '60s', ...params } : params, errors));
}

/** The timeout case's messages without the attempts count (which of two deadlines fired first). */
function sameTimeouts(line: string): string {
  return line.replace(/timed out after 300 ms[^"]*/, 'timed out after 300 ms');
}

/** A shipped pipeline, bounded, its Redis and e-mail sinks written to files and its model file found from `dir`. */
function fileSinks(doc: PipelineDoc, dir: string): PipelineDoc {
  const nodes = doc.nodes.map((n) => {
    if (n.type === 'source.generator') return { ...n, params: { ...n.params, rate: 0, count: Math.min(Number(n.params?.count ?? 20_000), 20_000) } };
    if (n.type === 'sink.redis' || n.type === 'sink.email') return { id: n.id, type: 'sink.file', params: { path: `out/${n.id}.jsonl` } };
    if (n.type === 'infer') {
      const model = n.params!.model as Record<string, unknown>;
      // The test machine is loaded: a generous timeout, so neither engine falls back on a slow answer.
      if (model.kind === 'http') return { ...n, params: { ...n.params, timeout: '30s' } };
      return { ...n, params: { ...n.params, model: { ...model, path: resolve(dir, model.path as string) } } };
    }
    return n;
  });
  return { ...doc, nodes };
}

describe('differential: infer on the embedded runtime and on Flink', () => {
  let server: ModelServer;
  let slow: ModelServer;
  let recs: KserveServer;
  beforeAll(async () => {
    flinkJar();
    server = await new ModelServer().start();
    slow = await new ModelServer().start();
    slow.delay = () => 3000;
    recs = await startKserve();
    process.env.MODEL_SERVER_URL = recs.url;
  }, 900_000);
  afterAll(async () => {
    await server?.kill();
    await slow?.kill();
    await recs?.close();
    delete process.env.MODEL_SERVER_URL;
  });

  it('shipped model pipelines and every protocol, ordering, errors, fallback, cache and ONNX output agree', async () => {
    const dir = copyOfPipelines();
    const parts: ReturnType<typeof compiled>[] = [];
    const checks: (() => void)[] = [];
    const ran: string[] = [];
    for (const { file, doc } of examplePipelines()) {
      const d = doc as unknown as PipelineDoc;
      if (!d.nodes.some((n) => n.type === 'infer') || d.nodes.some((n) => n.type === 'source.kafka')) continue;
      const bounded = fileSinks(d, dir);
      expect(flinkProblems(validated(bounded as never)), file).toEqual([]);
      const a = retarget(bounded, 'out/', `embedded/${file}/`);
      const b = retarget(bounded, 'out/', `flink/${file}/`);
      await runEmbedded(a, dir);
      parts.push(compiled(b as never, dir));
      checks.push(() => compare(sinkFiles(a).map((p) => join(dir, p)), (f) => f.replace(`embedded/${file}/`, `flink/${file}/`)));
      ran.push(file);
    }
    expect(ran.sort()).toEqual(['cart-abandonment-ml.json', 'churn-scoring.json', 'model-scoring-recs.json']);

    const root = mkdtempSync(join(tmpdir(), 'tributary-flink-infer-'));
    const emb = join(root, 'embedded');
    const fl = join(root, 'flink');
    mkdirSync(emb);
    mkdirSync(fl);
    writeFileSync(join(root, 'in.jsonl'), inputRecords().map((r) => JSON.stringify(r)).join('\n') + '\n');
    const logreg = readFileSync(join(MODELS, 'logreg20.onnx'));
    writeFileSync(join(root, 'zipmap-strings.onnx'), withZipMapLabels(logreg, ['stays', 'churns']));
    writeFileSync(join(root, 'zipmap-reversed.onnx'), withZipMapLabels(logreg, [1, 0]));
    const docs = cases(server.url, slow.url, emb);
    // Some requests are answered 503 first: both engines retry them.
    server.failNext = 3;
    for (const d of docs) await runEmbedded(d, root);
    const embeddedRequests = server.requests;
    server.failNext = 3;
    parts.push(...docs.map((d) => compiled(retarget(d, emb, fl) as never, root)));
    // Flink only: a header value the JDK refuses (a newline inside) is quoted in its message, which
    // reaches `errors` without it.
    process.env.INFER_TEST_SECRET = 's3cr3t\ntoken';
    parts.push(compiled(inferCase('secret-url', fl, { model: { kind: 'http', protocol: 'kserve-v2', url: server.url, name: 'churn', headers: { authorization: 'Bearer ${INFER_TEST_SECRET}' } }, features: FEATURES, retries: 0 }) as never, root));
    try {
      await runOnFlinkAsync(batched(parts));
    } finally {
      delete process.env.INFER_TEST_SECRET;
    }
    const secretErrors = readFileSync(join(fl, 'secret-url-errors.jsonl'), 'utf8');
    expect(secretErrors.split('\n').length - 1).toBe(153);
    expect(secretErrors).toContain('invalid header value: \\"***\\"');
    expect(secretErrors).not.toContain('s3cr3t');
    expect(server.requests).toBeGreaterThan(embeddedRequests);

    for (const check of checks) check();
    const seen: Record<string, { out: number; errors: number }> = {};
    for (const d of docs) {
      const files = sinkFiles(d);
      compare(files, (f) => f.replace(emb, fl), sameTimeouts);
      const name = files[0]!.slice(emb.length + 1).replace(/-out\.jsonl$/, '');
      const count = (f: string | undefined) => (f && existsSync(f) ? readFileSync(f, 'utf8').split('\n').length - 1 : 0);
      seen[name] = { out: count(files[0]), errors: count(files[1]) };
    }
    // The comparisons above are not vacuous: each case scored records, and failed the bad ones.
    expect(seen['kserve-json']).toEqual({ out: 150, errors: 3 });
    expect(seen['kserve-int']!.out).toBe(0);
    expect(seen['kserve-missing-output']!.out).toBe(0);
    expect(seen.fallback).toEqual({ out: 153, errors: 0 });
    expect(seen.timeout).toEqual({ out: 0, errors: 153 });
    expect(seen['onnx-no-class']!.out).toBe(0);
    for (const name of ['kserve-binary', 'tf-rows', 'tf-columns', 'mlflow-rows', 'mlflow-columns', 'openai-chat', 'json', 'json-batched', 'json-cache', 'onnx-zipmap', 'onnx-gbm', 'onnx-regressor']) {
      expect(seen[name]!.out, name).toBeGreaterThanOrEqual(150);
    }
    expect(seen['openai-embeddings']!.out).toBe(153);
    const zip = JSON.parse(readFileSync(join(fl, 'onnx-zipmap-out.jsonl'), 'utf8').split('\n')[0]!) as Record<string, unknown>;
    expect(Object.keys(zip.output_probability as object)).toEqual(['0', '1']);
    const named = JSON.parse(readFileSync(join(fl, 'onnx-zipmap-strings-out.jsonl'), 'utf8').split('\n')[0]!) as Record<string, unknown>;
    expect(Object.keys(named.output_probability as object)).toEqual(['stays', 'churns']);
    expect(seen['onnx-zipmap-strings']!.out).toBeGreaterThanOrEqual(150);
    expect(seen['onnx-zipmap-reversed']!.out).toBe(0);
    expect(readFileSync(join(fl, 'onnx-zipmap-reversed-errors.jsonl'), 'utf8')).toContain("classifier's classes (1, 0)");
  }, 600_000);
});
