// A Flink job's figures as the canvas shows an embedded run's: per node records in and out, rates
// and watermark, read from Flink's REST API (docs: "REST API", "Metrics"). Every operator of the
// job is named after its node's label (PipelineComposer: `name(label)`, `uid(node id)`; helper
// operators add " (…)", sources get Flink's "Source: " prefix, sink writers ": Writer"), and Flink
// reports operator metrics under that name — cut to 80 characters
// (TaskMetricGroup.METRICS_OPERATOR_NAME_MAX_LENGTH) with characters metric scopes cannot hold
// replaced by `_` (MetricQueryService). So the REST answers map back to node ids by name; the host
// makes the labels it submits distinct (`distinctLabels`). Operators chained into one task share a
// vertex: records, rates and watermarks below are each node's own operator's, while busy and
// back-pressured time are the chain's (FlinkNodeInfo).
import { edgeKey, type EdgeFigures, type FlinkNodeInfo, type HostEvents, type NodeFigures, type WireWatermark } from '../host/contract.js';
import { call } from './rest.js';

export interface SubmittedNode {
  readonly id: string;
  readonly type: string;
  /** The operator name the job was given (the compiled pipeline's label). */
  readonly label: string;
}

export interface SubmittedEdge {
  readonly from: string;
  readonly fromPort: string;
  readonly to: string;
  readonly toPort: string;
}

/** GET /jobs/:id, the parts read here. */
export interface JobDetails {
  readonly jid: string;
  readonly state: string;
  readonly duration: number;
  readonly vertices: readonly { readonly id: string; readonly name: string; readonly parallelism: number }[];
}

/** One vertex's REST answers: its metric ids (GET …/metrics) and aggregated values (GET …/subtasks/metrics). */
export interface VertexAnswers {
  readonly metricIds: readonly string[];
  /** Aggregated over subtasks: `sum` for counts and rates, `min` for watermarks, `max` for busy time. */
  readonly values: readonly { readonly id: string; readonly sum?: number; readonly min?: number; readonly max?: number }[];
  /** GET …/watermarks: each subtask's input watermark. */
  readonly watermarks: readonly { readonly id: string; readonly value: string }[];
}

/** Operator metric names as Flink writes them into metric ids. Looser than Flink (every character that
 * is not a letter or digit becomes `_`), applied to both sides, so names compare whatever Flink's filter keeps. */
export function metricName(operatorName: string): string {
  return operatorName.slice(0, 80).replace(/[^A-Za-z0-9]/g, '_');
}

/** The operator names that the job gives a node's operators, by kind. */
function namesOf(label: string): { main: string[]; helperPrefix: string; watermarks: string } {
  return { main: [metricName(label), metricName(`Source: ${label}`), metricName(`${label}: Writer`)], helperPrefix: metricName(`${label} (`), watermarks: metricName(`${label} (watermarks)`) };
}

/**
 * Labels made distinct as Flink compares operator names (cut to 80 characters, punctuation
 * folded), so every node's figures can be found; a label that would clash gets its node id.
 */
export function distinctLabels<T extends { id: string; label: string }>(nodes: readonly T[]): T[] {
  const seen = new Map<string, number>();
  for (const n of nodes) seen.set(metricName(n.label), (seen.get(metricName(n.label)) ?? 0) + 1);
  return nodes.map((n) => ((seen.get(metricName(n.label)) ?? 0) > 1 || n.label.length > 60 ? { ...n, label: `${n.label.slice(0, 40)} [${n.id}]` } : n));
}

const OPERATOR_METRIC = /^\d+\.(.+)\.(numRecordsIn|numRecordsOut|currentOutputWatermark|currentInputWatermark)$/;

/** Which operator (metric name) in which vertex is each node's: the node's main operator, and the one
 * whose output watermark is the node's (a source's watermark assigner), where there is one. */
export interface OperatorPlace {
  readonly vertexId: string;
  readonly main: string;
  readonly watermark: string;
}

/** Place every node whose operators the vertices' metric ids name; nodes not (yet) reported are left out. */
export function placeOperators(nodes: readonly SubmittedNode[], vertices: ReadonlyMap<string, readonly string[]>): { places: Map<string, OperatorPlace>; chains: Map<string, string[]> } {
  // Per vertex: each operator's name compared loosely → its name as Flink's metric ids spell it.
  const opsByVertex = new Map<string, Map<string, string>>();
  for (const [vid, ids] of vertices) {
    const ops = new Map<string, string>();
    for (const id of ids) {
      const m = OPERATOR_METRIC.exec(id);
      if (m) ops.set(metricName(m[1]!), m[1]!);
    }
    opsByVertex.set(vid, ops);
  }
  const places = new Map<string, OperatorPlace>();
  const chains = new Map<string, string[]>();
  for (const n of nodes) {
    const names = namesOf(n.label);
    let main: { vid: string; op: string; raw: string } | null = null;
    let wm: { vid: string; raw: string } | null = null;
    for (const [vid, ops] of opsByVertex) {
      let member = false;
      for (const [op, raw] of ops) {
        if (names.main.includes(op)) {
          // The plain label first (a file source's parser), then "Source: …", then the sink's writer.
          if (!main || names.main.indexOf(op) < names.main.indexOf(main.op)) main = { vid, op, raw };
          member = true;
        } else if (op.startsWith(names.helperPrefix)) member = true;
        if (op === names.watermarks) wm = { vid, raw };
      }
      if (member) chains.set(vid, [...(chains.get(vid) ?? []), n.id]);
    }
    if (main) places.set(n.id, { vertexId: main.vid, main: main.raw, watermark: (wm ?? main).raw });
  }
  return { places, chains };
}

/** The metric names to ask a vertex for (GET …/subtasks/metrics?get=…): only names its metric ids hold,
 * since Flink answers nothing at all when one name asked for is unknown. */
export function metricsToGet(places: ReadonlyMap<string, OperatorPlace>, vertexId: string, metricIds: readonly string[]): string[] {
  const have = new Set(metricIds.map((id) => id.replace(/^\d+\./, '')));
  return wanted(places, vertexId).filter((m) => have.has(m));
}

function wanted(places: ReadonlyMap<string, OperatorPlace>, vertexId: string): string[] {
  const out = new Set(['busyTimeMsPerSecond', 'backPressuredTimeMsPerSecond']);
  for (const p of places.values()) {
    if (p.vertexId !== vertexId) continue;
    for (const m of ['numRecordsIn', 'numRecordsOut', 'numRecordsInPerSecond', 'numRecordsOutPerSecond', 'currentInputWatermark']) out.add(`${p.main}.${m}`);
    out.add(`${p.watermark}.currentOutputWatermark`);
  }
  return [...out];
}

/** Flink's watermarks are longs: Long.MIN_VALUE before the first, Long.MAX_VALUE after the last. */
export function wireWatermark(v: number | undefined): WireWatermark {
  if (v === undefined || !Number.isFinite(v) || v <= -9.2e18) return null;
  if (v >= 9.2e18) return 'end';
  return Math.round(v);
}

/** The figures event for one poll of the job. */
export function figuresFromFlink(
  runId: number,
  nodes: readonly SubmittedNode[],
  edges: readonly SubmittedEdge[],
  job: JobDetails,
  answers: ReadonlyMap<string, VertexAnswers>,
): HostEvents['metrics'] {
  const { places, chains } = placeOperators(nodes, new Map([...answers].map(([vid, a]) => [vid, a.metricIds])));
  const vertexOf = new Map(job.vertices.map((v) => [v.id, v]));
  const figures: NodeFigures[] = [];
  let throughput = 0;
  for (const n of nodes) {
    const place = places.get(n.id);
    const a = place && answers.get(place.vertexId);
    const vertex = place && vertexOf.get(place.vertexId);
    if (!place || !a || !vertex) continue;
    const value = (id: string) => a.values.find((v) => v.id === id);
    const sum = (m: string) => value(`${place.main}.${m}`)?.sum ?? 0;
    const sink = n.type.startsWith('sink.');
    const source = n.type.startsWith('source.');
    // A sink's watermark is what reached it; a node's own is what its last operator sent on.
    let watermark = wireWatermark(sink ? value(`${place.main}.currentInputWatermark`)?.min : value(`${place.watermark}.currentOutputWatermark`)?.min);
    let watermarkOfChain = false;
    if (watermark === null && !source && a.watermarks.length > 0) {
      watermark = wireWatermark(Math.min(...a.watermarks.map((w) => Number(w.value))));
      watermarkOfChain = watermark !== null;
    }
    const rateOut = sink ? 0 : sum('numRecordsOutPerSecond');
    if (source) throughput += rateOut;
    const flink: FlinkNodeInfo = {
      vertexId: vertex.id,
      vertexName: vertex.name,
      parallelism: vertex.parallelism,
      chain: chains.get(vertex.id) ?? [n.id],
      busy: value('busyTimeMsPerSecond')?.max ?? null,
      backPressured: value('backPressuredTimeMsPerSecond')?.max ?? null,
      watermarkOfChain,
    };
    figures.push({
      id: n.id,
      recordsIn: source ? 0 : sum('numRecordsIn'),
      recordsOut: sink ? 0 : sum('numRecordsOut'),
      rateIn: source ? 0 : sum('numRecordsInPerSecond'),
      rateOut,
      errors: 0,
      late: 0,
      watermark,
      stateKeys: 0,
      stateBytes: 0,
      flink,
    });
  }
  // An edge from a node's main output carries what that node sends (each edge gets every record).
  const byId = new Map(figures.map((f) => [f.id, f]));
  const edgeFigures: EdgeFigures[] = [];
  for (const e of edges) {
    const f = byId.get(e.from);
    if (f && e.fromPort === 'out') edgeFigures.push({ id: edgeKey(e), records: f.recordsOut, rate: f.rateOut });
  }
  return { runId, uptimeMs: Math.max(0, job.duration), throughput, nodes: figures, edges: edgeFigures };
}

/** One poll: the job, and for each of its vertices the answers above. `known` keeps metric ids found earlier. */
export async function pollJob(base: string, jobId: string, nodes: readonly SubmittedNode[], known: Map<string, readonly string[]>): Promise<{ job: JobDetails; answers: Map<string, VertexAnswers> }> {
  const jobUrl = `${base}/jobs/${encodeURIComponent(jobId)}`;
  const job = (await call(jobUrl)) as JobDetails;
  const answers = new Map<string, VertexAnswers>();
  // The metric list fills in once Flink has fetched the TaskManagers' metrics; ask until it names every node.
  await Promise.all(
    job.vertices.map(async (v) => {
      const vUrl = `${jobUrl}/vertices/${encodeURIComponent(v.id)}`;
      let ids = known.get(v.id);
      if (!ids || ids.length === 0 || placeOperators(nodes, known).places.size < nodes.length) {
        ids = ((await call(`${vUrl}/metrics`)) as { id: string }[]).map((m) => m.id);
        known.set(v.id, ids);
      }
      known.set(v.id, ids);
      answers.set(v.id, { metricIds: ids, values: [], watermarks: [] });
    }),
  );
  const { places } = placeOperators(nodes, known);
  await Promise.all(
    job.vertices.map(async (v) => {
      const vUrl = `${jobUrl}/vertices/${encodeURIComponent(v.id)}`;
      const get = metricsToGet(places, v.id, known.get(v.id) ?? []);
      const [values, watermarks] = await Promise.all([
        call(`${vUrl}/subtasks/metrics?get=${get.map(encodeURIComponent).join(',')}&agg=sum,min,max`) as Promise<VertexAnswers['values']>,
        call(`${vUrl}/watermarks`) as Promise<VertexAnswers['watermarks']>,
      ]);
      answers.set(v.id, { metricIds: known.get(v.id) ?? [], values, watermarks });
    }),
  );
  return { job, answers };
}
