// Cep state split and merged by key (rescale.ts), on the v2 layout of nodes/cep/snapshot.ts. A
// key owns its partial and completed matches, its timer and its records waiting for the
// watermark; event nodes are shared only within a key (a match's chain of events), so a new
// instance takes the nodes its keys' matches reach, renumbered in their saved order (parents stay
// before children). Event and arrival counters continue from the largest of the parts, so later
// events still order after every saved one of the same key.
import { decodeRecords, encodeRecords } from '../../nodes/cep/record-columns.js';
import type { CepSnapshotV2 } from '../../nodes/cep/snapshot.js';
import { decodeKeys, encodeKeys } from '../../nodes/window/columns.js';

export function rekeyCep(parts: readonly unknown[], keep: (key: unknown) => boolean): unknown {
  const ps = parts as CepSnapshotV2[];
  const keys: unknown[] = [];
  const nPartial: number[] = [];
  const nCompleted: number[] = [];
  const timerAt: number[] = [];
  const timerSeq: number[] = [];
  const partials = { state: [] as number[], node: [] as number[], startTs: [] as number[], startSeq: [] as number[] };
  const nodes = { step: [] as number[], ts: [] as number[], seq: [] as number[], prev: [] as number[], recs: [] as unknown[] };
  const buffer = { ts: [] as number[], arrival: [] as number[], keys: [] as unknown[], recs: [] as unknown[] };
  for (const part of ps) {
    const partKeys = decodeKeys(part.keys);
    const recs = decodeRecords(part.nodes.recs);
    const m = part.nodes.step.length;
    const prev = part.nodes.prev;
    const needed = new Uint8Array(m);
    const rows: number[] = [];
    for (let k = 0, at = 0; k < partKeys.length; k++) {
      const count = part.nPartial[k]! + part.nCompleted[k]!;
      if (keep(partKeys[k])) {
        keys.push(partKeys[k]);
        nPartial.push(part.nPartial[k]!);
        nCompleted.push(part.nCompleted[k]!);
        timerAt.push(part.timerAt[k]!);
        timerSeq.push(part.timerSeq[k]!);
        for (let j = at; j < at + count; j++) {
          rows.push(j);
          for (let n = part.partials.node[j]!; n >= 0 && needed[n] === 0; n = prev[n]!) needed[n] = 1;
        }
      }
      at += count;
    }
    const renumbered = new Int32Array(m).fill(-1);
    for (let i = 0; i < m; i++) {
      if (needed[i] === 0) continue;
      renumbered[i] = nodes.step.length;
      nodes.step.push(part.nodes.step[i]!);
      nodes.ts.push(part.nodes.ts[i]!);
      nodes.seq.push(part.nodes.seq[i]!);
      nodes.prev.push(prev[i]! < 0 ? -1 : renumbered[prev[i]!]!);
      nodes.recs.push(recs[i]);
    }
    for (const j of rows) {
      const n = part.partials.node[j]!;
      partials.state.push(part.partials.state[j]!);
      partials.node.push(n < 0 ? -1 : renumbered[n]!);
      partials.startTs.push(part.partials.startTs[j]!);
      partials.startSeq.push(part.partials.startSeq[j]!);
    }
    const bKeys = decodeKeys(part.buffer.keys);
    const bRecs = decodeRecords(part.buffer.recs);
    for (let i = 0; i < bKeys.length; i++) {
      if (!keep(bKeys[i])) continue;
      buffer.ts.push(part.buffer.ts[i]!);
      buffer.arrival.push(part.buffer.arrival[i]!);
      buffer.keys.push(bKeys[i]);
      buffer.recs.push(bRecs[i]);
    }
  }
  const f64 = (a: number[]) => Float64Array.from(a);
  const out: CepSnapshotV2 = {
    seq: Math.max(...ps.map((p) => p.seq)),
    arrivals: Math.max(...ps.map((p) => p.arrivals)),
    nodes: { step: Int32Array.from(nodes.step), ts: f64(nodes.ts), seq: f64(nodes.seq), prev: Int32Array.from(nodes.prev), recs: encodeRecords(nodes.recs) },
    keys: encodeKeys(keys),
    nPartial: Uint32Array.from(nPartial),
    nCompleted: Uint32Array.from(nCompleted),
    timerAt: f64(timerAt),
    timerSeq: f64(timerSeq),
    partials: { state: Int32Array.from(partials.state), node: Int32Array.from(partials.node), startTs: f64(partials.startTs), startSeq: f64(partials.startSeq) },
    buffer: { ts: f64(buffer.ts), arrival: f64(buffer.arrival), keys: encodeKeys(buffer.keys), recs: encodeRecords(buffer.recs) },
  };
  return out;
}
