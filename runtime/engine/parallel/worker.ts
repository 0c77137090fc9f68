// A worker thread holding one instance of every parallel node (Flink's slot sharing: subtask i of
// each keyed operator shares slot i). It builds the nodes with their ordinary factories and answers
// every message with what the instance emitted meanwhile (protocol.ts).
import { parentPort } from 'node:worker_threads';
import type { Batch } from '../batch.js';
import type { OperatorFactory } from '../factory.js';
import { SystemClock } from '../clock.js';
import { NodeError, errorMessage } from '../errors.js';
import { NodeMetrics } from '../metrics.js';
import { type JobControl, Operator } from '../operator.js';
import { fromColumns } from './columns.js';
import { PackReader, PackWriter, packedTransfers } from './packed.js';
import { type Origins, TimedOperator } from '../timed.js';
import { cachedThreadCpu } from './thread-cpu.js';
import { ownBuffers } from './transfer.js';
import type { BatchMessage, FromWorker, InitMessage, InstanceFigures, OutMessage, PortOut, ToWorker } from './protocol.js';

const port = parentPort!;
const post = (m: FromWorker, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer);

/** Collects what one output port emits until the next answer takes it. */
class Capture extends Operator {
  recs: unknown[] = [];
  ts: number[] = [];
  keys: unknown[] | null = null;
  wm: number[] = [];
  wmEnd = -Infinity;
  ended = false;

  receive(_input: number, b: Batch): void {
    const n = b.recs.length;
    // Without per-record watermarks the records came under the watermark the previous batch ended with.
    const before = this.wmEnd;
    for (let i = 0; i < n; i++) {
      this.recs.push(b.recs[i]);
      this.ts.push(b.ts[i]!);
      this.wm.push(b.wm === null ? before : b.wm[i]!);
      if (b.keys !== null) (this.keys ??= new Array(this.recs.length - 1).fill(null)).push(b.keys[i]);
      else if (this.keys !== null) this.keys.push(null);
    }
    if (b.wmEnd > this.wmEnd) this.wmEnd = b.wmEnd;
  }

  /** The last idle status the operator forwarded since the last answer, or null. */
  idle: boolean | null = null;

  override inputIdle(_input: number, idle: boolean): void {
    this.idle = idle;
  }

  override inputEnded(): void {
    this.ended = true;
  }

  take(org: number[], writer: PackWriter): PortOut | null {
    if (this.recs.length === 0) return null;
    // Every record the operator emitted is flushed before an answer, each with its origin.
    if (org.length !== this.recs.length) throw new Error(`internal: ${this.recs.length} records emitted, ${org.length} origins`);
    const packed = writer.encode(this.recs);
    const out: PortOut = { recs: packed === null ? this.recs : [], packed, ts: this.ts, keys: this.keys, wm: this.wm, org };
    this.recs = [];
    this.ts = [];
    this.keys = null;
    this.wm = [];
    return out;
  }
}

interface Vertex {
  readonly op: TimedOperator;
  readonly origins: Origins;
  readonly metrics: NodeMetrics;
  /** Per output port, what it emitted; null for a port nothing is connected to on the job's thread. */
  readonly captures: (Capture | null)[];
  /** The two ends of this vertex's channels with the job's thread (packed.ts). */
  readonly writer: PackWriter;
  readonly reader: PackReader;
}

let vertices: Vertex[] = [];

const clock = new SystemClock();
const control: JobControl = {
  fail: (err) => {
    throw err;
  },
  block: () => {},
  unblock: () => {},
  sinkDone: () => {},
  barrier: () => Promise.resolve(),
  get stopped() {
    return false;
  },
  clock: {
    now: () => clock.now(),
    // Processing-time timers fire between messages; what they emit goes out unasked (seq -1).
    schedule: (at, fn) =>
      clock.schedule(at, () => {
        guarded(() => {
          fn();
          for (let v = 0; v < vertices.length; v++) answer(v, -1, true);
        });
      }),
  },
};

const cpu = cachedThreadCpu(100);

function figures(m: NodeMetrics): InstanceFigures {
  return { recordsIn: m.recordsIn, recordsOut: m.recordsOut, errors: m.errors, late: m.late, watermark: m.watermark, state: m.stateSize(), window: m.windowTiming?.() ?? null, cpuMs: cpu() };
}

function answer(v: number, seq: number, onlyIfAny: boolean, snapshot?: OutMessage['snapshot']): void {
  const vx = vertices[v]!;
  const ports = vx.captures.map((c, p) => {
    const org = vx.origins.take(p);
    return c === null ? null : c.take(org, vx.writer);
  });
  if (onlyIfAny && ports.every((p) => p === null)) return;
  const msg: OutMessage = { t: 'out', v, seq, ports, wmEnd: Math.max(...vx.captures.map((c) => c?.wmEnd ?? -Infinity)), ended: ended(vx), idle: takeIdle(vx), figures: figures(vx.metrics), snapshot };
  // A snapshot is a copy independent of the live state (timed.ts), so its buffers can move; so
  // can the columns' number buffers, made for this message.
  const moved = snapshot === undefined ? [] : ownBuffers(snapshot.state.data);
  for (const p of ports) if (p !== null && p.packed !== null) packedTransfers(p.packed, moved);
  post(msg, moved.length === 0 ? undefined : moved);
}

/** Port 0 is always captured, and an operator forwards idleness on every port alike. */
function takeIdle(vx: Vertex): boolean | null {
  const c = vx.captures[0]!;
  const idle = c.idle;
  c.idle = null;
  return idle;
}

function ended(vx: Vertex): boolean {
  return vx.captures.every((c) => c === null || c.ended);
}

/** The checkpoint barrier: every record sent before it has been handled (messages arrive in order). */
function snapshot(v: number, seq: number): void {
  const op = vertices[v]!.op;
  answer(v, seq, false, { state: op.snapshotState(), watermarks: op.saveWatermarks() });
}

/** A batch from the exchange's columns. Parallel nodes are timed operators, which only index
 * `ts`, `keys` and `wm` (TimedOperator.receive), so typed arrays serve as they are. */
function toBatch(m: BatchMessage, reader: PackReader): Batch {
  const recs = m.packed !== null ? reader.decode(m.packed) : m.cols !== null ? fromColumns(m.cols) : m.whole!;
  const keys = m.keys.v as unknown as unknown[];
  return { recs, ts: m.ts as unknown as number[], keys, wm: m.wm as unknown as number[], wmEnd: m.wmEnd };
}

function guarded(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    post({ t: 'failed', nodeId: err instanceof NodeError ? err.nodeId : null, message: errorMessage(err) });
  }
}

/**
 * The factories parallel nodes use, loaded alone: the full registry would also load the Kafka
 * clients and the model runtime into every worker. Other types fall back to the registry.
 */
const FACTORIES: Readonly<Record<string, () => Promise<OperatorFactory>>> = {
  window: async () => (await import('../../nodes/window/operator.js')).createWindow,
  process: async () => (await import('../../nodes/process/operator.js')).createProcess,
  cep: async () => (await import('../../nodes/cep/operator.js')).createCep,
};

async function factoryFor(type: string): Promise<OperatorFactory | undefined> {
  const f = FACTORIES[type];
  return f ? f() : (await import('../../nodes/operators.js')).OPERATORS[type];
}

async function init(m: InitMessage): Promise<void> {
  const paths = new Map(m.paths);
  const factories = await Promise.all(m.vertices.map((vi) => factoryFor(vi.type)));
  vertices = m.vertices.map((vi, at) => {
    const metrics = new NodeMetrics(vi.nodeId, vi.type);
    const factory = factories[at];
    if (!factory) throw new NodeError(vi.nodeId, `no operator for node type '${vi.type}'`);
    const built = factory(
      {
        nodeId: vi.nodeId,
        type: vi.type,
        job: control,
        metrics,
        inputKeyed: true,
        resolvePath: (p) => paths.get(p) ?? p,
        stdout: process.stdout,
      },
      vi.params,
    );
    if (!('operator' in built) || !(built.operator instanceof TimedOperator)) throw new NodeError(vi.nodeId, 'only a keyed window, process or cep node can run as a parallel instance');
    const op = built.operator;
    for (const p of vi.inputs) op.addInput(p);
    const origins = op.trackOrigins();
    // Only ports connected on the job's thread: the node then sees the others unconnected, as one
    // instance would (an error with `errors` unconnected fails the run instead of being emitted to
    // nothing). Port 0 always, so the end of the operator is seen.
    const captures = op.outputs.map((o, p) => {
      if (p > 0 && !vi.connected[p]) return null;
      const c = new Capture(control, 0);
      o.connect(c, c.addInput());
      return c;
    });
    const restored = m.restore[at];
    if (restored) {
      // As snapshot.ts restores a node: watermarks first, then state and timers.
      if (restored.watermarks) op.restoreWatermarks(restored.watermarks);
      try {
        op.restoreState(restored.state);
      } catch (err) {
        throw new NodeError(vi.nodeId, `cannot restore its state from the checkpoint: ${errorMessage(err)}`);
      }
    }
    return { op, origins, metrics, captures, writer: new PackWriter(), reader: new PackReader() };
  });
}

port.on('message', (m: ToWorker) => {
  if (m.t === 'init') {
    init(m).then(
      () => post({ t: 'ready' }),
      (err: unknown) => post({ t: 'failed', nodeId: err instanceof NodeError ? err.nodeId : null, message: errorMessage(err) }),
    );
    return;
  }
  guarded(() => {
    const op = vertices[m.v]!.op;
    if (m.t === 'snapshot') return snapshot(m.v, m.seq);
    if (m.t === 'batch') {
      op.setPositions(m.pos, m.wmAt, m.wmVal);
      op.receive(m.input, toBatch(m, vertices[m.v]!.reader));
    }
    else if (m.t === 'idle') op.inputIdle(m.input, m.idle === true);
    else {
      op.inputEnded(m.input);
      if (vertices.every(ended)) clock.cancelAll();
    }
    answer(m.v, m.seq, false);
  });
});
