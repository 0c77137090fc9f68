// Measure what state really costs on the heap: run a snippet in a fresh `node --expose-gc` and
// report heapUsed growth around the part that builds state. The snippet gets `dist(path)`, the
// file URL of a built module, and must call `await measure(async () => { …build… })`, then print
// nothing else; the result is { heapBytes, value } where value is what the builder returned.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const PRELUDE = `
const dist = (p) => ${JSON.stringify(pathToFileURL(resolve('dist')).href)} + '/' + p;
async function measure(build) {
  for (let i = 0; i < 3; i++) global.gc();
  const before = process.memoryUsage().heapUsed;
  const value = await build();
  for (let i = 0; i < 3; i++) global.gc();
  const heapBytes = process.memoryUsage().heapUsed - before;
  process.stdout.write(JSON.stringify({ heapBytes, value }));
}
`;

export function heapProbe<T>(snippet: string): { heapBytes: number; value: T } {
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', `${PRELUDE}\n${snippet}`], { encoding: 'utf8' });
  return JSON.parse(out) as { heapBytes: number; value: T };
}
