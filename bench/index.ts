// `npm run bench`: runs each scenario in its own process and prints records/s, peak RSS, and the
// engine's figure against its hand-written twin and the target. A script, not a timed test.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tuneHeapForStreaming } from '../runtime/host/heap.js';
import { runScenario } from './chain.js';
import { runWindowScenario, type WindowResult } from './windows.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 10_000_000);

const PAIRS = [
  { label: '(a) pre-built batches', engine: 'engine-batches', plain: 'plain-batches', target: 10e6 },
  { label: '(b) generator', engine: 'engine-generator', plain: 'plain-generator', target: 3e6 },
];

const WINDOW_PAIRS = [
  { label: 'keyBy(userId) → tumbling 1m count+sum, 100k users', name: 'tumbling', target: 2e6, maxBytesPerKey: Infinity },
  { label: 'same, count only (state per counter)', name: 'counter', target: 2e6, maxBytesPerKey: 64 },
  { label: 'sliding 10m/1m approxTopK, 50k products', name: 'topk', target: 1e6, maxBytesPerKey: Infinity },
];

interface Measured extends Partial<WindowResult> {
  scenario: string;
  records: number;
  seconds: number;
  peakRssMiB: number;
}

function child(scenario: string): Measured {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--scenario', scenario], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Measured;
}

function fmt(n: number): string {
  return `${(n / 1e6).toFixed(2)}M/s`;
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--scenario');
  if (at >= 0) {
    tuneHeapForStreaming();
    const name = process.argv[at + 1]!;
    const r = /-(tumbling|counter|topk)$/.test(name) ? await runWindowScenario(name, RECORDS) : await runScenario(name, RECORDS);
    const peakRssMiB = process.resourceUsage().maxRSS / 1024;
    process.stdout.write(`${JSON.stringify({ ...r, peakRssMiB })}\n`);
    return;
  }
  // `npm run bench -- windows` (or `chain`) runs one section.
  const only = process.argv[2];
  if (only !== 'windows') chainSection();
  if (only !== 'chain') windowSection();
}

function chainSection(): void {
  process.stdout.write(`filter → map → keyBy → discard, ${RECORDS.toLocaleString('en-US')} records, one core (node ${process.version})\n\n`);
  const rows: string[][] = [['scenario', 'records/s', 'peak RSS', 'hand-written', 'engine/hand', 'target', 'met']];
  for (const pair of PAIRS) {
    const e = child(pair.engine);
    const p = child(pair.plain);
    const er = e.records / e.seconds;
    const pr = p.records / p.seconds;
    const ok = er >= pair.target && pr / er <= 2;
    rows.push([pair.label, fmt(er), `${e.peakRssMiB.toFixed(0)} MiB`, `${fmt(pr)} (${p.peakRssMiB.toFixed(0)} MiB)`, `${(er / pr).toFixed(2)}×`, `≥ ${fmt(pair.target)}, within 2×`, ok ? 'yes' : 'NO']);
  }
  table(rows);
}

function windowSection(): void {
  process.stdout.write(`\nwindows, ${RECORDS.toLocaleString('en-US')} events from pre-built batches\n\n`);
  const wrows: string[][] = [['scenario', 'events/s', 'peak RSS', 'state', 'bytes/key at most keys', 'firings', 'hand-written', 'target', 'met']];
  for (const pair of WINDOW_PAIRS) {
    const e = child(`engine-${pair.name}`);
    const p = child(`plain-${pair.name}`);
    const er = e.records / e.seconds;
    const perKey = e.stateKeys ? e.stateBytes! / e.stateKeys : 0;
    const ok = er >= pair.target && perKey <= pair.maxBytesPerKey;
    wrows.push([
      pair.label, fmt(er), `${e.peakRssMiB.toFixed(0)} MiB`, `${e.stateKeys} keys, peak ${(e.peakStateBytes! / 2 ** 20).toFixed(1)} MiB`, perKey.toFixed(1), String(e.firings),
      `${fmt(p.records / p.seconds)} (${p.peakRssMiB.toFixed(0)} MiB)`, `≥ ${fmt(pair.target)}${Number.isFinite(pair.maxBytesPerKey) ? `, ≤ ${pair.maxBytesPerKey} B/key` : ''}`, ok ? 'yes' : 'NO',
    ]);
  }
  table(wrows);
}

function table(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);
}

await main();
