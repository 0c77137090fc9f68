// Randomly generated cep pipelines over random inputs for the differential tests: a file of keyed
// events with timestamp ties, disorder and late records (watermarks after every record, bounded
// out-of-orderness), then keyBy → cep with a random pattern — every contiguity, notNext /
// notFollowedBy, quantifiers with inner contiguity, optional, greedy, until, iterative conditions
// (reading `match`), within, every skip strategy — with `out`, `timeout` and `late` each to a file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REGISTRY } from '../../runtime/nodes/registry.js';
import { rng } from '../support/cep.js';
import type { PipelineDoc } from '../support/run.js';

const LETTERS = ['a', 'b', 'c', 'd'];
const CONTIGUITY = ['strict', 'relaxed', 'any'];
const SECOND = 1000;

function condition(r: () => number, earlier: string[], self: string): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const parts: string[] = [];
  if (r() >= 0.05) {
    const ls = LETTERS.filter(() => r() < 0.35);
    if (ls.length === 0) ls.push(pick(LETTERS));
    parts.push(`(${ls.map((l) => `t == '${l}'`).join(' || ')})`);
  }
  if (r() < 0.12) parts.push(`price > coalesce(sum(match.${pick([...earlier, self])}, 'price'), 0)`);
  if (r() < 0.08) parts.push(`coalesce(length(match.${pick([...earlier, self])}), 0) < ${1 + Math.floor(r() * 3)}`);
  return parts.length > 0 ? parts.join(' && ') : 'true';
}

/** Random cep params that the node's validation accepts (Flink's pattern rules). */
function cepParams(r: () => number): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  for (;;) {
    const names: string[] = [];
    const pattern: Record<string, unknown>[] = [];
    const steps = 1 + Math.floor(r() * 4);
    for (let i = 0; i < steps; i++) {
      const name = `s${i}`;
      const s: Record<string, unknown> = { name, where: condition(r, names, name), contiguity: pick(CONTIGUITY) };
      if (i > 0 && r() < 0.25) {
        s.negated = true;
        if (s.contiguity === 'any') s.contiguity = 'relaxed';
      } else {
        if (r() < 0.45) {
          const min = r() < 0.15 ? 0 : 1 + Math.floor(r() * 2);
          const max = r() < 0.45 && min > 0 ? null : Math.max(min, 1) + Math.floor(r() * 2);
          const inner = pick(CONTIGUITY);
          s.quantifier = { min, max, inner };
          if (r() < 0.25 && inner !== 'any') s.greedy = true;
          if (max === null && r() < 0.2) s.until = condition(r, names, name);
        }
        if (!((s.quantifier as { min: number } | undefined)?.min === 0) && r() < 0.2) s.optional = true;
      }
      pattern.push(s);
      names.push(name);
    }
    const strategy = pick(['noSkip', 'noSkip', 'skipToNext', 'skipPastLastEvent', 'skipToFirst', 'skipToLast']);
    const p: Record<string, unknown> = { pattern, afterMatch: strategy === 'skipToFirst' || strategy === 'skipToLast' ? { strategy, step: pick(names) } : { strategy } };
    if (r() < 0.6) p.within = (2 + Math.floor(r() * 8)) * SECOND;
    if (r() < 0.3) p.select = "{ k: key, m: match, tag: 'hit' }";
    if (REGISTRY.get('cep')!.params.safeParse(p).success) return p;
  }
}

function events(r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const keys = pick([1, 2, 3, 5]);
  const lines: string[] = [];
  let ts = 1_000_000;
  const count = 5 + Math.floor(r() * 40);
  for (let i = 0; i < count; i++) {
    const roll = r();
    // Steps of a second, ties, gaps past `within`, and records from the past (late or reordered).
    ts = roll < 0.55 ? ts + SECOND : roll < 0.7 ? ts : roll < 0.88 ? ts + (2 + Math.floor(r() * 6)) * SECOND : Math.max(1, ts - (1 + Math.floor(r() * 3)) * SECOND);
    lines.push(JSON.stringify({ id: i, ts, k: `u${1 + Math.floor(r() * keys)}`, t: pick([...LETTERS, 'x']), price: 1 + Math.floor(r() * 5) }));
  }
  return `${lines.join('\n')}\n`;
}

/** Case `seed`: writes its input into dir and returns a pipeline whose sinks write there too. */
export function randomCepCase(seed: number, dir: string): PipelineDoc {
  const r = rng(seed);
  const input = join(dir, `in-${seed}.jsonl`);
  writeFileSync(input, events(r));
  const keyed = r() < 0.85;
  const nodes: PipelineDoc['nodes'] = [
    { id: 'src', type: 'source.file', params: { path: input, eventTime: { field: 'ts', maxOutOfOrderness: [0, 0, 1000, 2500][Math.floor(r() * 4)] } } },
    { id: 'cep', type: 'cep', params: cepParams(r) },
    { id: 'out', type: 'sink.file', params: { path: join(dir, `out-${seed}.jsonl`) } },
    { id: 'timeout', type: 'sink.file', params: { path: join(dir, `timeout-${seed}.jsonl`) } },
    { id: 'late', type: 'sink.file', params: { path: join(dir, `late-${seed}.jsonl`) } },
  ];
  const edges: PipelineDoc['edges'] = [
    { from: 'cep', to: 'out' },
    { from: 'cep', fromPort: 'timeout', to: 'timeout' },
    { from: 'cep', fromPort: 'late', to: 'late' },
  ];
  if (keyed) {
    nodes.push({ id: 'kb', type: 'keyBy', params: { key: 'k' } });
    edges.push({ from: 'src', to: 'kb' }, { from: 'kb', to: 'cep' });
  } else {
    edges.push({ from: 'src', to: 'cep' });
  }
  return { name: `random-cep-${seed}`, nodes, edges };
}
