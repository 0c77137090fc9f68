// Comparing the two engines' file outputs for the differential tests.
import { existsSync, readFileSync } from 'node:fs';
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

/**
 * trending-boosted-recs's recommendations without what depends on the order between the
 * broadcast node's two inputs (docs/flink.md, known differences): which trending list a view saw.
 */
export function withoutTrendingSeen(line: string): string {
  const { recs: _r, boosted: _b, trendingAsOf: _t, ...rest } = JSON.parse(line) as Record<string, unknown>;
  return JSON.stringify(rest);
}

/**
 * What the order cannot change: every view's `trendingAsOf` is the end of a window in `lists`
 * (or null), and its `boosted` products are in that window's list. Returns how many views saw a list.
 */
export function boostedFromLists(recsFile: string, listsFile: string): number {
  const lists = new Map<number, Set<unknown>>();
  for (const l of readFileSync(listsFile, 'utf8').split('\n').filter((x) => x !== '')) {
    const w = JSON.parse(l) as { windowEnd: number; top: { value: unknown }[] };
    lists.set(w.windowEnd, new Set(w.top.map((t) => t.value)));
  }
  let seen = 0;
  for (const l of readFileSync(recsFile, 'utf8').split('\n').filter((x) => x !== '')) {
    const r = JSON.parse(l) as { trendingAsOf: number | null; boosted: unknown[] };
    if (r.trendingAsOf === null) {
      expect(r.boosted, l).toEqual([]);
      continue;
    }
    const top = lists.get(r.trendingAsOf);
    expect(top, l).toBeDefined();
    for (const p of r.boosted) expect(top!.has(p), l).toBe(true);
    seen++;
  }
  return seen;
}
