// The sample records that give the exported Flink SQL its column types: a JSON Lines file
// source's own first lines, or a file named with `--sample node=file` (a Kafka source's topic is
// not read at export time).
import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CompiledPipeline } from '../format/flink.js';
import type { Pipeline } from '../format/validate.js';

const SAMPLE_LINES = 1000;
const SAMPLE_BYTES = 4 * 2 ** 20;

/** Up to SAMPLE_LINES records from the start of a JSON Lines file (lines that do not parse are skipped). */
export function sampleRecords(path: string): unknown[] {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(SAMPLE_BYTES);
  let n: number;
  try {
    n = readSync(fd, buf, 0, SAMPLE_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  const lines = buf.subarray(0, n).toString('utf8').split('\n');
  if (n === SAMPLE_BYTES) lines.pop(); // the last line may be cut
  const out: unknown[] = [];
  for (const line of lines) {
    if (out.length >= SAMPLE_LINES) break;
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // A malformed line is the source's errors port's business, not the schema's.
    }
  }
  return out;
}

export function sqlSamples(pipeline: Pipeline, compiled: CompiledPipeline, given: readonly string[]): Record<string, unknown[]> {
  const samples: Record<string, unknown[]> = {};
  for (const n of compiled.nodes) {
    const p = n.params as { path?: string; format?: string };
    if (n.type === 'source.file' && p.format === 'jsonl' && typeof p.path === 'string') {
      try {
        samples[n.id] = sampleRecords(p.path);
      } catch {
        // Missing file: the exporter names the node (no sample records).
      }
    }
  }
  for (const g of given) {
    const eq = g.indexOf('=');
    if (eq < 1) throw new Error(`--sample takes node=file, not ${JSON.stringify(g)}`);
    const nodeId = g.slice(0, eq);
    if (!pipeline.nodes.some((x) => x.id === nodeId)) throw new Error(`--sample: no node '${nodeId}'`);
    samples[nodeId] = sampleRecords(resolve(g.slice(eq + 1)));
  }
  return samples;
}
