// Comparing the two engines' file outputs for the differential tests.
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { sortedLines } from '../support/flink.js';
import type { PipelineDoc } from '../support/run.js';

export function sinkFiles(doc: PipelineDoc): string[] {
  return doc.nodes.filter((n) => n.type === 'sink.file').map((n) => n.params!.path as string);
}

/** Outputs of both runs side by side; a sink that wrote nothing counts as empty on both sides. */
export function compare(files: string[], flinkDir: (f: string) => string, normalize: (line: string) => string = (l) => l): void {
  for (const f of files) {
    const want = existsSync(f) ? sortedLines(f).map(normalize).sort() : [];
    // Batched jobs prefix node ids (p<i>_) to keep the pipelines apart; errors name the node.
    const got = existsSync(flinkDir(f)) ? sortedLines(flinkDir(f)).map((l) => normalize(l.replace(/"node":"p\d+_/, '"node":"'))).sort() : [];
    expect(got, f).toEqual(want);
  }
}

/** The same pipeline writing into another folder: Flink's outputs beside the runtime's. */
export function retarget(doc: PipelineDoc, from: string, to: string): PipelineDoc {
  return { ...doc, nodes: doc.nodes.map((n) => (n.type === 'sink.file' ? { ...n, params: { ...n.params, path: (n.params!.path as string).replace(from, to) } } : n)) };
}

/**
 * The wording of a malformed JSON line's error is the parser's (V8's or Jackson's; docs/flink.md,
 * known differences): compared up to "malformed JSON", with the line number and record.
 */
export function sameParseErrors(line: string): string {
  return line.replace(/("error":"line \d+: malformed JSON)[^"\\]*(?:\\.[^"\\]*)*"/, '$1"');
}
