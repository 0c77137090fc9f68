// `npm run bench`: runs each scenario in its own process and prints records/s, peak RSS, and the
// engine's figure against its hand-written twin and the target. A script, not a timed test.
// `npm run bench -- <section>` runs one section (see bench/sections.ts).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tuneHeapForStreaming } from '../runtime/host/heap.js';
import type { Measured } from './section.js';
import { SECTIONS } from './sections.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 10_000_000);

function child(section: string, scenario: string): Measured {
  const out = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--scenario', section, scenario], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Measured;
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--scenario');
  if (at >= 0) {
    tuneHeapForStreaming();
    const section = SECTIONS.find((s) => s.name === process.argv[at + 1])!;
    const r = await section.run(process.argv[at + 2]!, RECORDS);
    const peakRssMiB = process.resourceUsage().maxRSS / 1024;
    process.stdout.write(`${JSON.stringify({ ...r, peakRssMiB })}\n`);
    return;
  }
  const only = process.argv[2];
  if (only !== undefined && !SECTIONS.some((s) => s.name === only)) {
    process.stderr.write(`no bench section '${only}'; the sections are ${SECTIONS.map((s) => s.name).join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  const out = (line: string) => process.stdout.write(`${line}\n`);
  let first = true;
  for (const s of SECTIONS) {
    if (only !== undefined && s.name !== only) continue;
    if (!first) out('');
    first = false;
    await s.report((scenario) => child(s.name, scenario), RECORDS, out);
  }
}

await main();
